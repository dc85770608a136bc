import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SelectorError } from './errors.ts';
import {
  checkFieldSelector,
  escapeFieldValue,
  FieldSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from './fields.ts';

function throwsSelector(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SelectorError, `expected SelectorError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

test('parses terms, sorting them and printing == as =', () => {
  const cases: [string, [string, string, string][], string][] = [
    ['', [], ''],
    [',', [], ''],
    ['a=b', [['a', '=', 'b']], 'a=b'],
    ['a==b', [['a', '=', 'b']], 'a=b'],
    ['a!=b', [['a', '!=', 'b']], 'a!=b'],
    ['a=', [['a', '=', '']], 'a='],
    ['=b', [['', '=', 'b']], '=b'],
    ['=', [], ''],
    ['!=', [], ''],
    [
      'spec.nodeName=n1,metadata.name!=x,,',
      [
        ['metadata.name', '!=', 'x'],
        ['spec.nodeName', '=', 'n1'],
      ],
      'metadata.name!=x,spec.nodeName=n1',
    ],
    ['a = b', [['a ', '=', ' b']], 'a = b'],
    ['a!b=c', [['a!b', '=', 'c']], 'a!b=c'],
    ['a=!b', [['a', '=', '!b']], 'a=!b'],
  ];
  for (const [input, reqs, canonical] of cases) {
    const sel = parseFieldSelector(input);
    assert.deepEqual(
      sel.requirements.map((r) => [r.field, r.operator, r.value]),
      reqs,
      input,
    );
    assert.equal(sel.toString(), canonical, input);
    assert.equal(sel.isEverything(), reqs.length === 0, input);
  }
});

test('values use backslash escapes for \\, comma and =', () => {
  const cases: [string, string][] = [
    ['a=b\\,c', 'b,c'],
    ['a=b\\=c', 'b=c'],
    ['a=b\\\\c', 'b\\c'],
    ['a=\\,\\=\\\\', ',=\\'],
    ['a==\\=', '='],
  ];
  for (const [input, value] of cases) {
    const sel = parseFieldSelector(input);
    assert.equal(sel.requirements.length, 1, input);
    assert.equal(sel.requirements[0]!.value, value, input);
    assert.equal(sel.toString(), `a=${escapeFieldValue(value)}`);
    assert.deepEqual(parseFieldSelector(sel.toString()).requirements, sel.requirements);
  }
  const two = parseFieldSelector('x=1\\,2,w=3');
  assert.deepEqual(
    two.requirements.map((r) => [r.field, r.value]),
    [
      ['w', '3'],
      ['x', '1,2'],
    ],
  );
  assert.equal(escapeFieldValue('a\\b,c=d!e'), 'a\\\\b\\,c\\=d!e');
  assert.equal(unescapeFieldValue('a\\\\b\\,c\\=d!e'), 'a\\b,c=d!e');
  assert.equal(unescapeFieldValue('plain'), 'plain');
});

test('rejects malformed field selectors with upstream messages', () => {
  const cases: [string, string][] = [
    ['a', "invalid selector: 'a'; can't understand 'a'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['x=1,a<b', "invalid selector: 'x=1,a<b'; can't understand 'a<b'"],
    ['a in (b)', "invalid selector: 'a in (b)'; can't understand 'a in (b)'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a!==b', 'invalid field selector: unescaped character in value: 61'],
    ['a=\\!', 'invalid field selector: invalid escape sequence: \\!'],
    ['a=b\\n', 'invalid field selector: invalid escape sequence: \\n'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=b\\\\\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [input, message] of cases) throwsSelector(() => parseFieldSelector(input), message);
  // a bare comma never reaches a value through the parser (it splits terms), only directly
  throwsSelector(() => unescapeFieldValue('x,y'), 'invalid field selector: unescaped character in value: 44');
});

test('matching treats absent fields as the empty string', () => {
  const fields = { 'metadata.name': 'p1', 'metadata.namespace': 'default', 'spec.nodeName': '' };
  const cases: [string, boolean][] = [
    ['', true],
    ['metadata.name=p1', true],
    ['metadata.name==p1', true],
    ['metadata.name=p2', false],
    ['metadata.name!=p2', true],
    ['metadata.name!=p1', false],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['status.phase=', true],
    ['status.phase!=', false],
    ['status.phase!=Running', true],
    ['status.phase=Running', false],
    ['metadata.name=p1,metadata.namespace=default', true],
    ['metadata.name=p1,metadata.namespace!=default', false],
    ['toString=', true],
  ];
  for (const [input, expected] of cases) {
    assert.equal(parseFieldSelector(input).matches(fields), expected, input);
  }
  assert.equal(FieldSelector.everything().matches({}), true);
  assert.equal(parseFieldSelector('a=x\\,y').matches({ a: 'x,y' }), true);
});

test('requiresExactMatch reports a pinned field', () => {
  const sel = parseFieldSelector('spec.nodeName=n1,metadata.name!=x');
  assert.equal(sel.requiresExactMatch('spec.nodeName'), 'n1');
  assert.equal(sel.requiresExactMatch('metadata.name'), undefined);
  assert.equal(sel.requiresExactMatch('status.phase'), undefined);
});

test('unsupported fields are rejected with the apiserver wording', () => {
  const podFields = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'];
  checkFieldSelector(parseFieldSelector('spec.nodeName=n1,status.phase!=Running'), podFields, 'Pod');
  checkFieldSelector(FieldSelector.everything(), [], 'Pod');
  throwsSelector(
    () => checkFieldSelector(parseFieldSelector('foo=bar'), podFields, 'Pod'),
    'field label not supported: foo',
  );
  // terms are checked in their sorted order
  throwsSelector(
    () => checkFieldSelector(parseFieldSelector('zz=1,metadata.name=a,bb=2'), podFields, 'Pod'),
    'field label not supported: bb',
  );
  const generic = ['metadata.name', 'metadata.namespace'];
  throwsSelector(
    () => checkFieldSelector(parseFieldSelector('foo.bar=baz'), generic, 'Ingress'),
    '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  throwsSelector(
    () => checkFieldSelector(parseFieldSelector('spec.x=1'), generic, 'Widget', true),
    'field label not supported: spec.x',
  );
  throwsSelector(
    () => checkFieldSelector(parseFieldSelector('spec.x=1'), podFields, 'Pod', false),
    '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
});

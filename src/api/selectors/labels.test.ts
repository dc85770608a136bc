import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SelectorError } from './errors.ts';
import { LabelSelector, labelSelectorFromSet, parseLabelSelector } from './labels.ts';

const keyRule =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const valueRule =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function throwsSelector(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SelectorError, `expected SelectorError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

test('parses valid selectors into their canonical form (sorted by key, set values sorted)', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a==b'],
    ['a!=b', 'a!=b'],
    ['a', 'a'],
    ['!a', '!a'],
    ['a>1', 'a>1'],
    ['a<1', 'a<1'],
    ['a=', 'a='],
    ['a!=', 'a!='],
    ['  a  =  b  ,  c  ', 'a=b,c'],
    ['\ta\n==\rb', 'a==b'],
    ['b,a=1,!c', 'a=1,b,!c'],
    ['z=1,a=2,z!=3', 'a=2,z=1,z!=3'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['a notin (c, b, a, b)', 'a notin (a,b,c)'],
    ['a in (,)', 'a in ()'],
    ['a in (b,)', 'a in (,b)'],
    ['in in (in, notin)', 'in in (in,notin)'],
    ['notin=in', 'notin=in'],
    ['example.com/app=web-1', 'example.com/app=web-1'],
    ['k8s.io/a.b_c-d=A.b_C-9', 'k8s.io/a.b_c-d=A.b_C-9'],
    [`a=${'v'.repeat(63)}`, `a=${'v'.repeat(63)}`],
  ];
  for (const [input, canonical] of cases) {
    const sel = parseLabelSelector(input);
    assert.equal(sel.toString(), canonical, input);
    assert.equal(parseLabelSelector(canonical).toString(), canonical, `round trip of ${input}`);
  }
});

test('exposes requirements with upstream operator names', () => {
  const sel = parseLabelSelector('b in (y,x),a>5,!c,d');
  assert.deepEqual(
    sel.requirements.map((r) => [r.key, r.operator, [...r.values]]),
    [
      ['a', 'gt', ['5']],
      ['b', 'in', ['x', 'y']],
      ['c', '!', []],
      ['d', 'exists', []],
    ],
  );
  assert.equal(sel.requiresExactMatch('a'), undefined);
  assert.equal(parseLabelSelector('app in (web)').requiresExactMatch('app'), 'web');
  assert.equal(parseLabelSelector('app=web,x').requiresExactMatch('app'), 'web');
});

test('matches label sets as upstream does', () => {
  const labels = { app: 'web', tier: 'front', n: '10', empty: '' };
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', labels, true],
    ['', undefined, true],
    ['app=web', labels, true],
    ['app==web', labels, true],
    ['app=db', labels, false],
    ['missing=', labels, false],
    ['empty=', labels, true],
    ['app!=db', labels, true],
    ['app!=web', labels, false],
    ['missing!=x', labels, true],
    ['app in (db,web)', labels, true],
    ['app in (db)', labels, false],
    ['missing in (x)', labels, false],
    ['app notin (db)', labels, true],
    ['app notin (web)', labels, false],
    ['missing notin (web)', labels, true],
    ['empty in ()', labels, true],
    ['app', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!app', labels, false],
    ['n>9', labels, true],
    ['n>10', labels, false],
    ['n<11', labels, true],
    ['n<10', labels, false],
    ['app>1', labels, false],
    ['missing<5', labels, false],
    ['app=web,tier=front', labels, true],
    ['app=web,tier=back', labels, false],
    ['app', undefined, false],
    ['!app', undefined, true],
    ['app!=web', undefined, true],
    ['toString', {}, false],
  ];
  for (const [input, set, expected] of cases) {
    assert.equal(parseLabelSelector(input).matches(set), expected, `${input} on ${JSON.stringify(set)}`);
  }
  assert.equal(parseLabelSelector('n>9').matches({ n: '+10' }), true);
  assert.equal(parseLabelSelector('n<0').matches({ n: '-1' }), true);
  assert.equal(parseLabelSelector('n>1').matches({ n: '99999999999999999999' }), false);
});

test('rejects malformed selectors with upstream messages', () => {
  const cases: [string, string][] = [
    ['a,', "found '', expected: identifier after ','"],
    ['a,,b', "found ',', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['(a)', "found '(', expected: !, identifier, or 'end of string'"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a!b', "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
    ['a(b)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!!a', "unable to parse requirement: found '!', expected: identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['a!==b', "unable to parse requirement: found '=', expected: identifier"],
    ['a in', "unable to parse requirement: found '' expected: '('"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a in (b,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['a in (b,', "unable to parse requirement: found '', expected: ',', or identifier"],
    [
      'a>b',
      `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'a<',
      `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'a>99999999999999999999',
      `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ['a@b=c', `unable to parse requirement: <nil>: Invalid value: "a@b": ${keyRule}`],
    ['-a', `unable to parse requirement: <nil>: Invalid value: "-a": ${keyRule}`],
    ['!a.', `unable to parse requirement: <nil>: Invalid value: "a.": ${keyRule}`],
    [
      `${'k'.repeat(64)}`,
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
    ],
    ['/a', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    [
      'a/',
      `unable to parse requirement: <nil>: Invalid value: "a/": name part must be non-empty; ${keyRule}`,
    ],
    [
      'Foo.com/a',
      `unable to parse requirement: <nil>: Invalid value: "Foo.com/a": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    [
      'x/y/z',
      `unable to parse requirement: <nil>: Invalid value: "x/y/z": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    ['a=b@', `unable to parse requirement: values[0][a]: Invalid value: "b@": ${valueRule}`],
    ['a in (ok,-x)', `unable to parse requirement: values[0][a]: Invalid value: "-x": ${valueRule}`],
    [
      `a=${'v'.repeat(64)}`,
      `unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
    ],
    [
      'a>1x',
      `unable to parse requirement: values[0]: Invalid value: "1x": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'a<1@',
      `unable to parse requirement: [values[0]: Invalid value: "1@": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "1@": ${valueRule}]`,
    ],
  ];
  for (const [input, message] of cases) throwsSelector(() => parseLabelSelector(input), message);
});

test('everything and nothing', () => {
  const all = LabelSelector.everything();
  assert.equal(all.isEverything(), true);
  assert.equal(all.isNothing(), false);
  assert.equal(all.matches(undefined), true);
  assert.equal(all.matches({ a: 'b' }), true);
  assert.equal(all.toString(), '');
  assert.equal(parseLabelSelector('').isEverything(), true);
  assert.equal(parseLabelSelector('  ').isEverything(), true);

  const none = LabelSelector.nothing();
  assert.equal(none.isEverything(), false);
  assert.equal(none.isNothing(), true);
  assert.equal(none.matches(undefined), false);
  assert.equal(none.matches({}), false);
  assert.equal(none.toString(), '');
  assert.equal(none.add(...parseLabelSelector('a').requirements).isNothing(), true);
  assert.equal(parseLabelSelector('a').isEverything(), false);
  assert.equal(all.add(...parseLabelSelector('b,a').requirements).toString(), 'a,b');
});

test('selectors from plain label sets', () => {
  assert.equal(labelSelectorFromSet(undefined).isEverything(), true);
  assert.equal(labelSelectorFromSet({}).isEverything(), true);
  const sel = labelSelectorFromSet({ b: '2', a: '1' });
  assert.equal(sel.toString(), 'a=1,b=2');
  assert.equal(sel.matches({ a: '1', b: '2', c: '3' }), true);
  assert.equal(sel.matches({ a: '1' }), false);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SelectorError } from './errors.ts';
import { fromLabelSelectorObject } from './labels.ts';

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

test('metav1.LabelSelector objects: nil selects nothing, empty selects everything', () => {
  assert.equal(fromLabelSelectorObject(null).isNothing(), true);
  assert.equal(fromLabelSelectorObject(undefined).isNothing(), true);
  assert.equal(fromLabelSelectorObject(null).matches({ a: 'b' }), false);
  for (const empty of [
    {},
    { matchLabels: {} },
    { matchLabels: {}, matchExpressions: [] },
    { matchLabels: null },
  ]) {
    const sel = fromLabelSelectorObject(empty);
    assert.equal(sel.isEverything(), true, JSON.stringify(empty));
    assert.equal(sel.matches(undefined), true);
  }
});

test('metav1.LabelSelector objects convert to requirements sorted by key', () => {
  const sel = fromLabelSelectorObject({
    matchLabels: { tier: 'front', app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'app', operator: 'Exists', values: [] },
    ],
  });
  assert.equal(sel.toString(), 'app=web,app,!canary,env in (dev,prod),tier=front,zone notin (b)');
  assert.equal(sel.matches({ app: 'web', tier: 'front', env: 'prod' }), true);
  assert.equal(sel.matches({ app: 'web', tier: 'front', env: 'prod', zone: 'b' }), false);
  assert.equal(sel.matches({ app: 'web', tier: 'front', env: 'qa' }), false);
  assert.equal(sel.matches({ app: 'web', tier: 'front', env: 'dev', canary: '' }), false);
  assert.equal(sel.requiresExactMatch('app'), 'web');
});

test('metav1.LabelSelector objects are validated as upstream does', () => {
  const cases: [Parameters<typeof fromLabelSelectorObject>[0], string][] = [
    [
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'NotIn' }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x', 'y'] }] },
      'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist',
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] },
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] },
      '"in" is not a valid label selector operator',
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      '"Gt" is not a valid label selector operator',
    ],
    [{ matchLabels: { 'a b': 'x' } }, `key: Invalid value: "a b": ${keyRule}`],
    [{ matchLabels: { a: 'x y' } }, `values[0][a]: Invalid value: "x y": ${valueRule}`],
    [
      { matchExpressions: [{ key: '', operator: 'Exists' }] },
      `key: Invalid value: "": name part must be non-empty; ${keyRule}`,
    ],
    [
      { matchExpressions: [{ key: 'a/b/c', operator: 'In', values: ['ok', '-'] }] },
      `[key: Invalid value: "a/b/c": a qualified name ${keyRule.replace('name part ', '')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName'), values[1][a/b/c]: Invalid value: "-": ${valueRule}]`,
    ],
  ];
  for (const [input, message] of cases) throwsSelector(() => fromLabelSelectorObject(input), message);
});

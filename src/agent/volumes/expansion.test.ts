import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expand, lookupIn } from './expansion.ts';

const vars = new Map([
  ['A', 'a'],
  ['EMPTY', ''],
  ['B', '$(A)'],
]);
const x = (s: string) => expand(s, lookupIn(vars));

test('references are replaced, unknown ones kept as written', () => {
  assert.equal(x('$(A)'), 'a');
  assert.equal(x('pre-$(A)-post'), 'pre-a-post');
  assert.equal(x('$(A)$(A)'), 'aa');
  assert.equal(x('$(EMPTY)x'), 'x');
  assert.equal(x('$(NOPE)'), '$(NOPE)');
  assert.equal(x('$(B)'), '$(A)', 'no recursive expansion');
});

test('$$ escapes and malformed references', () => {
  assert.equal(x('$$(A)'), '$(A)');
  assert.equal(x('$$$(A)'), '$a');
  assert.equal(x('$$'), '$');
  assert.equal(x('$'), '$');
  assert.equal(x('a$'), 'a$');
  assert.equal(x('$(A'), '$(A');
  assert.equal(x('$A'), '$A');
  assert.equal(x('$()'), '$()');
  assert.equal(x('x$(A'), 'x$(A');
  assert.equal(x('$(A)$'), 'a$');
});

test('maps are tried in order', () => {
  const f = lookupIn(
    new Map([['X', '1']]),
    new Map([
      ['X', '2'],
      ['Y', '3'],
    ]),
  );
  assert.equal(expand('$(X)$(Y)', f), '13');
});

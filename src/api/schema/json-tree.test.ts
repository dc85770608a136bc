import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonTree, treeOf } from './json-tree.ts';

describe('parseJsonTree', () => {
  it('keeps every key in order, repeated ones included', () => {
    const tree = parseJsonTree(' {"a": [1, "x", {"b": null}], "a": true, "c\\n": -1.5e3, "d": {}} ');
    assert.equal(tree.kind, 'object');
    assert.deepEqual(tree.kind === 'object' && tree.entries.map(([k, v]) => [k, v.kind]), [
      ['a', 'array'],
      ['a', 'scalar'],
      ['c\n', 'scalar'],
      ['d', 'object'],
    ]);
  });

  it('rejects text that is not JSON', () => {
    for (const bad of ['', '{', '{"a" 1}', '{"a":1,}x', '[1 2]', '{a:1}', '"open']) {
      assert.throws(() => parseJsonTree(bad), SyntaxError, bad);
    }
  });

  it('refuses absurdly deep documents', () => {
    assert.throws(() => parseJsonTree('['.repeat(5000) + ']'.repeat(5000)), SyntaxError);
  });
});

describe('treeOf', () => {
  it('mirrors a decoded value', () => {
    assert.deepEqual(treeOf({ a: [1, { b: 2 }] }), {
      kind: 'object',
      entries: [
        [
          'a',
          {
            kind: 'array',
            items: [{ kind: 'scalar' }, { kind: 'object', entries: [['b', { kind: 'scalar' }]] }],
          },
        ],
      ],
    });
  });
});

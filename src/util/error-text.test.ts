import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorText } from './error-text.ts';

test('errorText follows causes and names system error codes', () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  assert.equal(errorText(new TypeError('fetch failed', { cause: reset })), 'fetch failed: read ECONNRESET');
  const refused = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
  assert.equal(errorText(new Error('list', { cause: refused })), 'list: connect failed (ECONNREFUSED)');
  assert.equal(errorText('plain'), 'plain');
  assert.equal(errorText(new Error('x', { cause: 42 })), 'x: 42');
});

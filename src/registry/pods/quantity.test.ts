import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareQuantities,
  milliValue,
  parseQuantity,
  QuantityError,
  quantityFormatError,
  quantityString,
  quantitySuffixError,
  roundUp,
} from './quantity.ts';

const show = (s: string) => quantityString(parseQuantity(s));

test('canonical text matches upstream: kept when canonical, else recomputed', () => {
  const cases: [string, string][] = [
    ['100m', '100m'],
    ['1', '1'],
    ['1.5', '1500m'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['128Mi', '128Mi'],
    ['1024Mi', '1Gi'],
    ['2048Ki', '2Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['1.1Ki', '1126400m'],
    ['1G', '1G'],
    ['1e3', '1e3'],
    ['10e2', '1e3'],
    ['5e-1', '500e-3'],
    ['10000', '10k'],
    ['0', '0'],
    ['-1', '-1'],
    ['0.0001', '100u'],
    [' 250m ', '250m'],
  ];
  for (const [input, want] of cases) assert.equal(show(input), want, input);
});

test('rounding up to milli-units, as pod resource defaults do', () => {
  const milli = (s: string) => quantityString(roundUp(parseQuantity(s), -3));
  assert.equal(milli('100u'), '1m');
  assert.equal(milli('1500u'), '2m');
  assert.equal(milli('0.0001'), '1m');
  assert.equal(milli('250m'), '250m');
  assert.equal(milli('1Gi'), '1Gi');
  assert.equal(milliValue(parseQuantity('1.5')), 1500n);
});

test('comparison is by value across formats', () => {
  const cmp = (a: string, b: string) => compareQuantities(parseQuantity(a), parseQuantity(b));
  assert.equal(cmp('1', '1000m'), 0);
  assert.equal(cmp('1Gi', '1073741824'), 0);
  assert.equal(cmp('1G', '1Gi'), -1);
  assert.equal(cmp('200m', '100m'), 1);
  assert.equal(cmp('1e3', '1k'), 0);
});

test('bad quantities fail with upstream messages', () => {
  for (const bad of ['', 'abc', '1.2.3', '1x', '5Gb'])
    assert.throws(() => parseQuantity(bad), new QuantityError(quantityFormatError), bad);
  for (const bad of ['1K', '1mm', '--1', '1e'])
    assert.throws(() => parseQuantity(bad), new QuantityError(quantitySuffixError), bad);
});

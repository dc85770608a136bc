import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { age, humanDuration } from './duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-2 * S + 0.001, '0s'],
    [0, '0s'],
    [S - 1, '0s'],
    [S, '1s'],
    [70 * S, '70s'],
    [2 * M - 1, '119s'],
    [2 * M, '2m'],
    [2 * M + S, '2m1s'],
    [190 * S, '3m10s'],
    [10 * M - 1, '9m59s'],
    [10 * M, '10m'],
    [10 * M + S, '10m'],
    [70 * M, '70m'],
    [3 * H - 1, '179m'],
    [3 * H, '3h'],
    [3 * H + 2 * M, '3h2m'],
    [8 * H - 1, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [47 * H, '47h'],
    [2 * D - 1, '47h'],
    [2 * D, '2d'],
    [49 * H, '2d1h'],
    [8 * D - 1, '7d23h'],
    [8 * D, '8d'],
    [8 * D + 23 * H, '8d'],
    [367 * D, '367d'],
    [2 * Y - 1, '729d'],
    [2 * Y, '2y'],
    [2 * Y + D - 1, '2y'],
    [2 * Y + D, '2y1d'],
    [2 * Y + 25 * H, '2y1d'],
    [8 * Y - 1, '7y364d'],
    [8 * Y, '8y'],
    [8 * Y + 364 * D, '8y'],
    [9 * Y, '9y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms is ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('age', () => {
  const now = new Date('2024-05-01T12:00:00Z');

  it('is the time since the timestamp', () => {
    assert.equal(age('2024-05-01T11:55:00Z', now), '5m');
    assert.equal(age('2024-05-01T08:58:00Z', now), '3h2m');
    assert.equal(age('2024-04-28T12:00:00Z', now), '3d');
  });

  it('is <unknown> for missing, zero or unreadable timestamps', () => {
    assert.equal(age(undefined, now), '<unknown>');
    assert.equal(age(null, now), '<unknown>');
    assert.equal(age('', now), '<unknown>');
    assert.equal(age('0001-01-01T00:00:00Z', now), '<unknown>');
    assert.equal(age('yesterday', now), '<unknown>');
  });

  it('tolerates a little clock skew but not more', () => {
    assert.equal(age('2024-05-01T12:00:01Z', now), '0s');
    assert.equal(age('2024-05-01T12:00:05Z', now), '<invalid>');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatInZone, parseSchedule } from './schedule.ts';

const at = (s: string) => Date.parse(s);
const iso = (t: number | undefined) => new Date(t!).toISOString();

test('next activations of five-field schedules in UTC', () => {
  assert.equal(
    iso(parseSchedule('*/5 * * * *', 'UTC').next(at('2024-01-01T10:03:20Z'))),
    '2024-01-01T10:05:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('0 9 * * 1-5', 'UTC').next(at('2024-01-05T09:00:00Z'))),
    '2024-01-08T09:00:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('@monthly', 'UTC').next(at('2024-01-15T00:00:00Z'))),
    '2024-02-01T00:00:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('30 6 13 * FRI', 'UTC').next(at('2024-01-01T00:00:00Z'))),
    '2024-01-05T06:30:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('0 0 29 2 *', 'UTC').next(at('2024-03-01T00:00:00Z'))),
    '2028-02-29T00:00:00.000Z',
  );
  assert.equal(parseSchedule('0 0 31 2 *', 'UTC').next(at('2024-03-01T00:00:00Z')), undefined);
});

test('time zones and @every', () => {
  const ny = parseSchedule('0 9 * * *', 'America/New_York');
  assert.equal(iso(ny.next(at('2024-07-01T00:00:00Z'))), '2024-07-01T13:00:00.000Z');
  assert.equal(iso(ny.next(at('2024-01-01T00:00:00Z'))), '2024-01-01T14:00:00.000Z');
  assert.equal(
    iso(parseSchedule('TZ=Asia/Tokyo 0 9 * * *', 'UTC').next(at('2024-01-01T00:00:00Z'))),
    '2024-01-02T00:00:00.000Z',
  );
  assert.equal(
    iso(parseSchedule('@every 90s', 'UTC').next(at('2024-01-01T00:00:00.500Z'))),
    '2024-01-01T00:01:30.000Z',
  );
  assert.equal(formatInZone(at('2024-01-01T10:00:00Z'), 'UTC'), '2024-01-01T10:00:00Z');
  assert.equal(formatInZone(at('2024-01-01T10:00:00Z'), 'Asia/Kolkata'), '2024-01-01T15:30:00+05:30');
});

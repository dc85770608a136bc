/**
 * robfig/cron v3's schedules, for when to run: ParseStandard's fields as bit sets and
 * SpecSchedule.Next searched in the schedule's time zone, or @every's constant delay.
 * Validation (and its error texts) is the registry's; this assumes a valid schedule.
 */

export interface Schedule {
  /** The first activation strictly after `t` (ms since the epoch); undefined when none in 5 years. */
  next(t: number): number | undefined;
}

const star = 1n << 63n;
const bounds = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
] as const;
const names: Record<string, number>[] = [
  {},
  {},
  {},
  Object.fromEntries(
    ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [
      m,
      i + 1,
    ]),
  ),
  Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d, i) => [d, i])),
];
const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function value(s: string, field: number): number {
  return names[field]![s.toLowerCase()] ?? Number.parseInt(s, 10);
}

/** One field's bits (robfig's getField/getRange): `*` without a step also sets the star bit. */
function fieldBits(text: string, field: number): bigint {
  const [min, max] = bounds[field]!;
  let bits = 0n;
  for (const expr of text.split(',').filter((e) => e !== '')) {
    const [range, stepText] = expr.split('/');
    const [low, high] = range!.split('-');
    let start: number;
    let end: number;
    let extra = 0n;
    if (low === '*' || low === '?') {
      start = min;
      end = max;
      extra = star;
    } else {
      start = value(low!, field);
      end = high === undefined ? start : value(high, field);
    }
    let step = 1;
    if (stepText !== undefined) {
      step = Number.parseInt(stepText, 10);
      if (high === undefined) end = max;
      if (step > 1) extra = 0n;
    }
    for (let i = start; i <= end; i += step) bits |= 1n << BigInt(i);
    bits |= extra;
  }
  return bits;
}

const has = (bits: bigint, n: number) => (bits & (1n << BigInt(n))) !== 0n;

/** Go's time.ParseDuration for @every (valid input assumed), in ms. */
function durationMs(text: string): number {
  const unit: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    μs: 1e-3,
    ms: 1,
    s: 1e3,
    m: 6e4,
    h: 3.6e6,
  };
  let ms = 0;
  for (const m of text.matchAll(/([\d.]+)([a-zµμ]+)/g)) ms += Number(m[1]) * (unit[m[2]!] ?? 0);
  return ms;
}

/** The UTC offset (ms) of a zone at an instant, through Intl. */
export function zoneOffset(zone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - (t - (t % 1000));
}

/** The instant a wall-clock time (as a UTC-based ms value) names in the zone. */
function fromWall(zone: string, wall: number): number {
  let t = wall - zoneOffset(zone, wall);
  t = wall - zoneOffset(zone, t);
  return t;
}

/** Parses a valid schedule; `zone` is used unless the schedule has a TZ=/CRON_TZ= prefix. */
export function parseSchedule(spec: string, zone: string): Schedule {
  let text = spec.trim();
  const tz = /^(?:CRON_)?TZ=(\S+)\s+/.exec(text);
  if (tz) {
    zone = tz[1]!;
    text = text.slice(tz[0].length).trim();
  }
  if (text.startsWith('@every ')) {
    const delay = Math.max(1000, Math.floor(durationMs(text.slice(7)) / 1000) * 1000);
    return { next: (t) => t - (t % 1000) + delay };
  }
  const fields = (descriptors[text] ?? text).split(/\s+/);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => fieldBits(f, i)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  const dayMatches = (d: Date) => {
    const domMatch = has(dom, d.getUTCDate());
    const dowMatch = has(dow, d.getUTCDay());
    return (dom & star) !== 0n || (dow & star) !== 0n ? domMatch && dowMatch : domMatch || dowMatch;
  };
  return {
    next(t) {
      // Search wall-clock minutes in the zone: a Date whose UTC fields are the zone's.
      const wallStart = t + zoneOffset(zone, t);
      const d = new Date(wallStart - (wallStart % 60_000) + 60_000);
      const yearLimit = d.getUTCFullYear() + 5;
      while (d.getUTCFullYear() <= yearLimit) {
        if (!has(month, d.getUTCMonth() + 1)) {
          d.setUTCMonth(d.getUTCMonth() + 1, 1);
          d.setUTCHours(0, 0, 0, 0);
        } else if (!dayMatches(d)) {
          d.setUTCDate(d.getUTCDate() + 1);
          d.setUTCHours(0, 0, 0, 0);
        } else if (!has(hour, d.getUTCHours())) {
          d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
        } else if (!has(minute, d.getUTCMinutes())) {
          d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
        } else {
          const at = fromWall(zone, d.getTime());
          if (at > t) return at;
          d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
        }
      }
      return undefined;
    },
  };
}

/** RFC 3339 in a zone, as Go formats it: `Z` for UTC, else the offset. */
export function formatInZone(t: number, zone: string): string {
  const offset = zoneOffset(zone, t);
  const wall = new Date(t + offset).toISOString().slice(0, 19);
  if (offset === 0 && (zone === 'UTC' || zone === 'Etc/UTC' || zone === '')) return `${wall}Z`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${sign}${hh}:${mm}`;
}

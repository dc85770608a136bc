/** kubectl logs' options as the kubelet reads them from the query (PodLogOptions). */
export interface LogOptions {
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  /** Lines from the end of the log file; undefined = all. */
  readonly tailLines?: number;
  /** Entries older than this are skipped (sinceTime, or now - sinceSeconds). */
  readonly since?: Date;
  /** Stop after this many bytes of output. */
  readonly limitBytes?: number;
}

export class LogOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogOptionsError';
  }
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '') return v === '';
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new LogOptionsError(`${name}: Invalid value: "${v}": must be a boolean`);
}

function int(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new LogOptionsError(`${name}: Invalid value: "${v}": must be an integer`);
  const n = Number(v);
  if (n < min)
    throw new LogOptionsError(`${name}: Invalid value: ${n}: must be greater than or equal to ${min}`);
  return n;
}

/** Reads and validates PodLogOptions from a query; a bad value throws LogOptionsError. */
export function parseLogOptions(q: URLSearchParams, now = new Date()): LogOptions {
  const sinceSeconds = int(q, 'sinceSeconds', 1);
  const sinceTimeRaw = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTimeRaw) {
    throw new LogOptionsError(
      'sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    );
  }
  let since: Date | undefined;
  if (sinceTimeRaw) {
    const t = parseRfc3339(sinceTimeRaw);
    if (!t)
      throw new LogOptionsError(`sinceTime: Invalid value: "${sinceTimeRaw}": must be an RFC 3339 time`);
    since = t;
  } else if (sinceSeconds !== undefined) {
    since = new Date(now.getTime() - sinceSeconds * 1000);
  }
  const tailLines = int(q, 'tailLines', 0);
  const limitBytes = int(q, 'limitBytes', 1);
  return {
    follow: bool(q, 'follow'),
    previous: bool(q, 'previous'),
    timestamps: bool(q, 'timestamps'),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(since ? { since } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 (any number of fraction digits) to a Date with millisecond precision. */
export function parseRfc3339(s: string): Date | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const fraction = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '';
  const t = Date.parse(`${m[1]}T${m[2]}${fraction}${m[4]!.toUpperCase()}`);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** IANA time-zone names, answered as Go's time.LoadLocation would (through Intl's tz data). */

/**
 * Whether the tz database has the zone. Intl resolves names case-insensitively and accepts
 * offsets such as `+0500`; Go reads files named exactly like the zone, and every zone's name
 * parts start with a capital letter (`America/New_York`, `Etc/GMT+5`, `UTC`).
 */
export function knownTimeZone(name: string): boolean {
  if (!name.split('/').every((part) => /^[A-Z]/.test(part))) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Go's time.LoadLocation error text for a name, or undefined when it loads. */
export function loadLocationError(name: string): string | undefined {
  if (name === '' || name === 'UTC' || name === 'Local') return undefined;
  if (name.includes('..') || name.startsWith('/') || name.startsWith('\\'))
    return 'time: invalid location name';
  return knownTimeZone(name) ? undefined : `unknown time zone ${name}`;
}

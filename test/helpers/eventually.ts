/**
 * Calls fn until it returns something other than undefined (errors count as "not yet"), every
 * `everyMs`, for at most `ms`; then fails naming what it waited for and the last error.
 */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms = 90_000,
  everyMs = 500,
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

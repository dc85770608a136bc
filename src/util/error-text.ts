/**
 * An error as one line, with its causes: undici reports "fetch failed" and keeps the reason
 * (ECONNRESET, a TLS alert, …) in `cause`, which String(err) drops.
 */
export function errorText(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(
        typeof code === 'string' && !cur.message.includes(code) ? `${cur.message} (${code})` : cur.message,
      );
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(': ');
}

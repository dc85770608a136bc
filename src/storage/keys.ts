/**
 * The first key after every key that starts with `prefix`, for half-open ranges
 * [prefix, prefixEnd(prefix)). Keys are compared as strings; Kubernetes keys are ASCII.
 */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return '\uffff\uffff';
}

export interface KeyRange {
  readonly start: string;
  readonly end: string;
}

export function prefixRange(prefix: string): KeyRange {
  return { start: prefix, end: prefixEnd(prefix) };
}

export function inRange(key: string, range: KeyRange): boolean {
  return key >= range.start && key < range.end;
}

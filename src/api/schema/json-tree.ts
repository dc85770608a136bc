/**
 * A JSON document as a tree of objects and arrays whose objects keep every key in document order,
 * repeated keys included: what duplicate-field detection needs and JSON.parse throws away.
 * Scalars are not decoded.
 */
export type JsonNode =
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'scalar' };

const scalar: JsonNode = { kind: 'scalar' };

/** Deeper documents are refused rather than risk the stack (Go's decoder stops at 10000). */
const maxDepth = 2000;

/**
 * Parses JSON text into a tree; throws SyntaxError on malformed structure. Scalars are only skipped
 * (a bad literal such as `tru` passes): run it on text JSON.parse has accepted.
 */
export function parseJsonTree(text: string): JsonNode {
  let i = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i}`);
  };
  const skipSpace = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
  };
  /** Returns the raw string token (quotes included) starting at i, and moves past it. */
  const stringToken = (): string => {
    const start = i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') i += 2;
      else if (c === '"') return text.slice(start, ++i);
      else i++;
    }
    return fail('unterminated string');
  };

  const value = (depth: number): JsonNode => {
    if (depth > maxDepth) fail('document nested too deeply');
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: (readonly [string, JsonNode])[] = [];
      skipSpace();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', entries };
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail('expected a string key');
        const key = JSON.parse(stringToken()) as string;
        skipSpace();
        if (text[i++] !== ':') fail('expected ":"');
        entries.push([key, value(depth + 1)]);
        skipSpace();
        const next = text[i++];
        if (next === '}') return { kind: 'object', entries };
        if (next !== ',') fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      skipSpace();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        skipSpace();
        const next = text[i++];
        if (next === ']') return { kind: 'array', items };
        if (next !== ',') fail('expected "," or "]"');
      }
    }
    if (c === '"') {
      stringToken();
      return scalar;
    }
    const start = i;
    while (i < text.length && /[-+.\w]/.test(text[i] ?? '')) i++;
    if (i === start) fail('unexpected character');
    return scalar;
  };

  const root = value(0);
  skipSpace();
  if (i < text.length) fail('unexpected text after the document');
  return root;
}

/** The tree of an already decoded value (which can hold no duplicate keys). */
export function treeOf(v: unknown): JsonNode {
  if (Array.isArray(v)) return { kind: 'array', items: v.map(treeOf) };
  if (v !== null && typeof v === 'object') {
    return { kind: 'object', entries: Object.entries(v).map(([k, x]) => [k, treeOf(x)] as const) };
  }
  return scalar;
}

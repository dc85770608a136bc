/**
 * `$(VAR)` expansion as upstream's third_party/forked/golang/expansion does it: `$$` is an
 * escaped `$`, an unknown or unterminated reference is left as written.
 */

export type Lookup = (name: string) => string | undefined;

/** Expands `$(NAME)` references in `input` through `lookup`. */
export function expand(input: string, lookup: Lookup): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close < 0) {
        out += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      out += '$' + next;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** A lookup over maps tried in order (upstream's MappingFuncFor). */
export function lookupIn(...maps: ReadonlyMap<string, string>[]): Lookup {
  return (name) => {
    for (const m of maps) {
      const v = m.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

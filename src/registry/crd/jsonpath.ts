/**
 * The part of client-go's JSONPath that printer columns use: `.a.b`, `.a[0].b`, `.a[*]`, `['x.y']`,
 * escaped dots (`.labels.app\.kubernetes\.io/name`) and filters `[?(@.type=="Ready")]` with `==`/`!=`
 * (or a bare `@.field` for presence). Missing keys give no result, as with AllowMissingKeys.
 */
import { isObject } from '../../api/object.ts';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: Step[]; op?: '==' | '!='; value?: unknown };

export class JsonPathError extends Error {}

function parseLiteral(s: string): unknown {
  const t = s.trim();
  if (/^(['"]).*\1$/.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new JsonPathError(`unrecognized literal ${t}`);
}

function parseFilter(body: string): Step {
  const m = /^@((?:\.[^=!]+?)*)\s*(?:(==|!=)\s*(.+))?$/.exec(body.trim());
  if (!m) throw new JsonPathError(`unrecognized filter ${body}`);
  const path = m[1] ? parse(m[1]) : [];
  return m[2]
    ? { kind: 'filter', path, op: m[2] as '==' | '!=', value: parseLiteral(m[3]!) }
    : { kind: 'filter', path };
}

/** Parses a path with or without its braces: `{.a.b}` or `.a.b`. */
export function parse(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      let name = '';
      while (i < s.length && s[i] !== '.' && s[i] !== '[') {
        if (s[i] === '\\' && s[i + 1] === '.') i++;
        name += s[i];
        i++;
      }
      if (name) steps.push({ kind: 'field', name });
      continue;
    }
    if (c === '[') {
      const close = s[i + 1] === '?' ? s.indexOf(')]', i) + 1 : s.indexOf(']', i);
      if (close <= 0) throw new JsonPathError(`unterminated [ in ${expr}`);
      const body = s.slice(i + 1, close).trim();
      i = close + 1;
      if (body === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(body)) steps.push({ kind: 'index', index: Number(body) });
      else if (/^(['"]).*\1$/.test(body)) steps.push({ kind: 'field', name: body.slice(1, -1) });
      else if (body.startsWith('?(') && body.endsWith(')')) steps.push(parseFilter(body.slice(2, -1)));
      else throw new JsonPathError(`unrecognized [${body}] in ${expr}`);
      continue;
    }
    throw new JsonPathError(`unexpected ${JSON.stringify(c)} in ${expr}`);
  }
  return steps;
}

function apply(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (step.kind === 'field') {
      if (isObject(v) && step.name in v) out.push(v[step.name]);
    } else if (step.kind === 'index') {
      if (Array.isArray(v)) {
        const i = step.index < 0 ? v.length + step.index : step.index;
        if (i >= 0 && i < v.length) out.push(v[i]);
      }
    } else if (step.kind === 'all') {
      if (Array.isArray(v)) out.push(...v);
      else if (isObject(v)) out.push(...Object.values(v));
    } else {
      for (const item of Array.isArray(v) ? v : []) {
        const found = evaluate(item, step.path);
        if (step.op === undefined) {
          if (found.length > 0) out.push(item);
          continue;
        }
        if (found.length === 0) continue;
        if ((step.op === '==') === (found[0] === step.value)) out.push(item);
      }
    }
  }
  return out;
}

/** Every value the path reaches in `obj`. */
export function evaluate(obj: unknown, steps: readonly Step[]): unknown[] {
  let values: unknown[] = [obj];
  for (const step of steps) values = apply(values, step);
  return values;
}

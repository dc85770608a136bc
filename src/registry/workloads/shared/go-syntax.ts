import { Verbatim } from '../../../api/field-errors.ts';
/**
 * Bad values the way kube-apiserver prints them. Upstream's field errors show a value that is
 * not a string or number with Go's `%#v` (`map[string]string{"app":"web"}`,
 * `v1.LabelSelector{...}`); clients show those messages verbatim, so we build the same text.
 */

import { isObject } from '../../../api/object.ts';
import { compareCodePoints, goQuote, goStringSlice } from '../../../api/selectors/errors.ts';

export { goQuote, goStringSlice };

/**
 * A bad value rendered as the given text. The field-error renderer quotes strings and
 * JSON-encodes objects but prints any other value with String(); a function whose toString
 * returns the text is such a value, so the text reaches the message unchanged.
 */
export function goValue(text: string): unknown {
  return new Verbatim(text);
}

/** `map[string]string{"a":"b"}`, keys sorted as Go prints them; absent → `(nil)`. */
export function goStringMap(m: unknown, type = 'map[string]string'): string {
  if (!isObject(m)) return `${type}(nil)`;
  const keys = Object.keys(m).sort(compareCodePoints);
  return `${type}{${keys.map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`).join(', ')}}`;
}

/** A list of strings as `[]string{...}`; anything but an array is a nil slice. */
export function goStrings(v: unknown, type = '[]string'): string {
  if (!Array.isArray(v)) return `${type}(nil)`;
  return `${type}{${v.map((s) => goQuote(String(s))).join(', ')}}`;
}

/** metav1.LabelSelector as `%#v` prints it (after the pointer is dereferenced). */
export function goLabelSelector(sel: unknown): string {
  if (!isObject(sel)) return 'null';
  const exprs = sel.matchExpressions;
  const reqs = Array.isArray(exprs)
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => {
          const r = isObject(e) ? e : {};
          return `v1.LabelSelectorRequirement{Key:${goQuote(String(r.key ?? ''))}, Operator:${goQuote(
            String(r.operator ?? ''),
          )}, Values:${goStrings(r.values)}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${reqs}}`;
}

/** intstr.IntOrString as `%#v` prints it. */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
  const n = typeof v === 'number' ? v : 0;
  return `intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`;
}

/** A struct of string fields: `pkg.Type{A:"x", B:"y"}`. */
export function goStruct(type: string, fields: [string, string][]): string {
  return `${type}{${fields.map(([k, v]) => `${k}:${v}`).join(', ')}}`;
}

/**
 * A pointer field inside a struct: `(*T)(nil)`, or an address as Go prints one (upstream's
 * is whatever the allocator returned; any address reads the same to a person).
 */
export function goPointer(type: string, v: unknown): string {
  return v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(0xc000010000)`;
}

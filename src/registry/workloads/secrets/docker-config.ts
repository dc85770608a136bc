/** Why a docker config is not a JSON object, in the words of Go's encoding/json. */

const goTypeOf = (v: unknown) =>
  Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'string';

/** Go's json.Unmarshal into map[string]interface{}: the error text, or undefined. */
export function jsonObjectError(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    const pos = at ? Number(at[1]) : text.trimEnd().length;
    const c = text[pos];
    if (c === undefined || text.trim() === '') return 'unexpected end of JSON input';
    return `invalid character '${c}' looking for beginning of value`;
  }
  if (value === null || (typeof value === 'object' && !Array.isArray(value))) return undefined;
  return `json: cannot unmarshal ${goTypeOf(value)} into Go value of type map[string]interface {}`;
}

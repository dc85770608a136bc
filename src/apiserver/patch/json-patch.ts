import jsonPatch from 'fast-json-patch';
import { StatusError, statusErrors } from '../../api/status.ts';

/** RFC 6902 JSON patch; a malformed patch is 400, one that cannot apply is 422. */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw statusErrors.badRequest('a JSON patch must be an array of operations');
  const invalid = jsonPatch.validate(patch as jsonPatch.Operation[]);
  if (invalid) throw statusErrors.badRequest(`invalid JSON patch: ${invalid.message.split('\n')[0]}`);
  try {
    return jsonPatch.applyPatch(structuredClone(target), patch as jsonPatch.Operation[], true, false)
      .newDocument;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new StatusError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${message}`,
    );
  }
}

import { statusErrors } from '../api/status.ts';

/**
 * The `continue` of a paginated list: the revision of the first page and the last key
 * returned (relative to the list's prefix), base64 JSON as upstream writes it.
 */
export interface ContinueToken {
  readonly revision: number;
  readonly after: string;
}

export function encodeContinue(prefix: string, revision: number, lastKey: string): string {
  const json = JSON.stringify({
    v: 'meta.k8s.io/v1',
    rv: revision,
    start: `${lastKey.slice(prefix.length)}\u0000`,
  });
  return Buffer.from(json).toString('base64url');
}

export function decodeContinue(prefix: string, token: string): ContinueToken {
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw statusErrors.badRequest(`invalid continue token: ${token}`);
  }
  if (
    parsed.v !== 'meta.k8s.io/v1' ||
    typeof parsed.rv !== 'number' ||
    typeof parsed.start !== 'string' ||
    !parsed.start.endsWith('\u0000') ||
    parsed.start.includes('/..') ||
    parsed.start.startsWith('../')
  ) {
    throw statusErrors.badRequest('continue key is not valid');
  }
  return { revision: parsed.rv, after: prefix + parsed.start.slice(0, -1) };
}

export const continueExpired = () =>
  statusErrors.expired(
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );

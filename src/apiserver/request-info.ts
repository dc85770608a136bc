import { statusErrors } from '../api/status.ts';
import { isTrue } from './query.ts';

/**
 * What a resource URL names, as upstream's RequestInfoFactory reads it:
 * /api/v1/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]] and the same under
 * /apis/{group}/{version}. Namespaces' own subresources (status, finalize) are told apart from
 * resources inside a namespace.
 */
export interface RequestInfo {
  readonly group: string;
  readonly version: string;
  readonly namespace?: string;
  readonly resource: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly verb: string;
}

const namespaceSubresources = new Set(['status', 'finalize']);

export function parseRequestInfo(
  method: string,
  path: string,
  query: URLSearchParams,
): RequestInfo | undefined {
  let parts: string[];
  try {
    parts = path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
  } catch {
    throw statusErrors.badRequest(
      `invalid escape in the request path: ${JSON.stringify(path.slice(0, 200))}`,
    );
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && namespaceSubresources.has(rest[2]!))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const [resource, name, subresource] = rest as [string, string | undefined, string | undefined];
  const isWatch = isTrue(query.get('watch'));
  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name === undefined ? (isWatch ? 'watch' : 'list') : isWatch ? 'watch' : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = method.toLowerCase();
  }
  return {
    group,
    version,
    ...(namespace !== undefined ? { namespace } : {}),
    resource,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
    verb,
  };
}

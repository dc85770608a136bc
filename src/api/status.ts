/**
 * Kubernetes `Status` errors: the one error type the API layer raises, rendered once by the
 * HTTP error handler. Messages and reasons follow upstream, since clients parse them.
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A resource with its group, as upstream's GroupResource prints it: `pods`, `deployments.apps`. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

const brand = Symbol.for('skiff.StatusError');

export class StatusError extends Error {
  readonly [brand] = true;
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export function isStatusError(e: unknown): e is StatusError {
  return typeof e === 'object' && e !== null && (e as { [brand]?: boolean })[brand] === true;
}

export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

const details = (gr: GroupResource, name: string): StatusDetails => ({
  name,
  ...(gr.group ? { group: gr.group } : {}),
  kind: gr.resource,
});

export const statusErrors = {
  notFound: (gr: GroupResource, name: string) =>
    new StatusError(404, 'NotFound', `${groupResourceString(gr)} "${name}" not found`, details(gr, name)),
  alreadyExists: (gr: GroupResource, name: string) =>
    new StatusError(
      409,
      'AlreadyExists',
      `${groupResourceString(gr)} "${name}" already exists`,
      details(gr, name),
    ),
  conflict: (gr: GroupResource, name: string, why: string) =>
    new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${groupResourceString(gr)} "${name}": ${why}`,
      details(gr, name),
    ),
  modified: (gr: GroupResource, name: string) =>
    statusErrors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    ),
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  forbidden: (gr: GroupResource, name: string, why: string) =>
    new StatusError(
      403,
      'Forbidden',
      `${groupResourceString(gr)}${name ? ` "${name}"` : ''} is forbidden: ${why}`,
      details(gr, name),
    ),
  unauthorized: () => new StatusError(401, 'Unauthorized', 'Unauthorized'),
  methodNotSupported: (gr: GroupResource, action: string) =>
    new StatusError(
      405,
      'MethodNotAllowed',
      `${action} is not supported on resources of kind "${groupResourceString(gr)}"`,
      {
        ...(gr.group ? { group: gr.group } : {}),
        kind: gr.resource,
      },
    ),
  notAcceptable: (accepted: string) =>
    new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted}`),
  unsupportedMediaType: (contentType: string) =>
    new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${JSON.stringify(contentType)})`,
    ),
  tooLarge: (limit: number) =>
    new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  expired: (message: string) => new StatusError(410, 'Expired', message),
  gone: (message: string) => new StatusError(410, 'Gone', message),
  tooLargeResourceVersion: (requested: number, current: number) =>
    new StatusError(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    }),
  notFoundPath: () =>
    new StatusError(404, 'NotFound', 'the server could not find the requested resource', {}),
  internal: (message: string) =>
    new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    }),
};

import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** A failure the endpoint answers with a Kubernetes Status (the API server passes it on). */
export class StreamingError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'StreamingError';
    this.code = code;
    this.reason = reason;
  }
}

export const badRequest = (message: string) => new StreamingError(400, 'BadRequest', message);
export const notFound = (message: string) => new StreamingError(404, 'NotFound', message);

export function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

function asStreamingError(err: unknown): StreamingError {
  if (err instanceof StreamingError) return err;
  const grpc = err as { code?: number; details?: string; message?: string };
  // gRPC NOT_FOUND (5) and FAILED_PRECONDITION (9) are the caller's problem, not ours.
  if (grpc.code === 5) return new StreamingError(404, 'NotFound', grpc.details ?? String(grpc.message));
  if (grpc.code === 9 || grpc.code === 3) return badRequest(grpc.details ?? String(grpc.message));
  return new StreamingError(
    500,
    'InternalError',
    grpc.details ?? (err instanceof Error ? err.message : String(err)),
  );
}

/** Answers a plain request with a Status. */
export function replyError(res: ServerResponse, err: unknown): void {
  const e = asStreamingError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = statusBody(e.code, e.reason, e.message);
  res.writeHead(e.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers an upgrade request (not yet upgraded) with a Status on the raw socket, then closes. */
export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const e = asStreamingError(err);
  const body = statusBody(e.code, e.reason, e.message);
  if (!socket.writable) return;
  socket.end(
    `HTTP/1.1 ${e.code} ${STATUS_CODES[e.code] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

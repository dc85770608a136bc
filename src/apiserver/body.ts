import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { isObject } from '../api/object.ts';
import { statusErrors } from '../api/status.ts';

/** Upstream's limit on a request body. */
export const maxBodyBytes = 3 * 1024 * 1024;

/** Reads the whole body, refusing more than the limit with 413. */
export async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw statusErrors.tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw statusErrors.tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A JSON or YAML body as a value; 400 when it does not parse. */
export function parseStructured(body: Buffer, type: string): unknown {
  const text = body.toString('utf8');
  try {
    if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return parseYaml(text);
    return JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw statusErrors.badRequest(
      `the body of the request could not be decoded as ${type.includes('yaml') ? 'YAML' : 'JSON'}: ${reason}`,
    );
  }
}

/** An object body (create, update): JSON or YAML; anything else is 415. */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = mediaType(contentType) || 'application/json';
  if (type !== 'application/json' && type !== 'application/yaml')
    throw statusErrors.unsupportedMediaType(type);
  const value = parseStructured(body, type);
  if (!isObject(value))
    throw statusErrors.badRequest('the body of the request must be a JSON or YAML object');
  return value;
}

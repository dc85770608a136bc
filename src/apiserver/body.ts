import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { isObject } from '../api/object.ts';
import {
  findStrictFieldErrors,
  strictDecodingError,
  strictErrorMessage,
} from '../api/schema/unknown-fields.ts';
import { StatusError, statusErrors } from '../api/status.ts';
import { decodeProtobufObject, ProtobufDecodeError, protobufContentType } from './protobuf/decode.ts';

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

/** What a body is checked against: its kind, and how strictly (`?fieldValidation=`). */
export interface DecodeTarget {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly fieldValidation?: string | null;
  /** Where Warn puts its messages, for Warning headers. */
  readonly warnings?: string[];
}

/** `?fieldValidation=`: Ignore, Warn (the default, as upstream) or Strict. */
export function fieldValidationOf(value: string | null | undefined): 'Ignore' | 'Warn' | 'Strict' {
  if (value === null || value === undefined || value === '' || value === 'Warn') return 'Warn';
  if (value === 'Ignore' || value === 'Strict') return value;
  throw statusErrors.badRequest(
    `fieldValidation must be one of "Ignore", "Warn" or "Strict", not ${JSON.stringify(value)}`,
  );
}

function decodeProtobuf(body: Buffer): Record<string, unknown> {
  try {
    return decodeProtobufObject(body);
  } catch (e) {
    if (!(e instanceof ProtobufDecodeError)) throw e;
    if (e.reason === 'UnsupportedKind' || e.reason === 'UnsupportedField') {
      throw new StatusError(415, 'UnsupportedMediaType', e.message);
    }
    throw statusErrors.badRequest(`the body of the request could not be decoded as protobuf: ${e.message}`);
  }
}

/**
 * An object body (create, update): JSON, YAML or Kubernetes protobuf; anything else is 415.
 * Unknown and duplicate fields are refused (Strict) or reported (Warn) as upstream does.
 */
export function decodeObjectBody(
  body: Buffer,
  contentType: string | undefined,
  target?: DecodeTarget,
): Record<string, unknown> {
  const type = mediaType(contentType) || 'application/json';
  if (type === protobufContentType) return decodeProtobuf(body);
  if (type !== 'application/json' && type !== 'application/yaml')
    throw statusErrors.unsupportedMediaType(type);
  const value = parseStructured(body, type);
  if (!isObject(value))
    throw statusErrors.badRequest('the body of the request must be a JSON or YAML object');
  if (target)
    checkFields(type === 'application/json' ? body.toString('utf8') : JSON.stringify(value), target);
  return value;
}

/** Unknown and duplicate fields of `jsonText`, refused or reported as fieldValidation asks. */
export function checkFields(jsonText: string, target: DecodeTarget): void {
  const mode = fieldValidationOf(target.fieldValidation);
  if (mode === 'Ignore') return;
  const errs = findStrictFieldErrors(target.group, target.version, target.kind, jsonText);
  if (errs.length === 0) return;
  if (mode === 'Strict') {
    throw statusErrors.badRequest(
      `${target.kind} in version "${target.version}" cannot be handled as a ${target.kind}: ${strictDecodingError(errs)}`,
    );
  }
  target.warnings?.push(...errs.map(strictErrorMessage));
}

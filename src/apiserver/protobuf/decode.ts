/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies into the JSON objects the rest
 * of the API server works with.
 *
 * kubectl's typed clients (`kubectl create deployment|configmap|secret|…`, `kubectl auth can-i`,
 * `kubectl create token`) POST protobuf and do not fall back to JSON on 415. A body is the magic
 * `k8s\0` followed by a runtime.Unknown: typeMeta {apiVersion, kind}, raw (the object's own
 * message), contentEncoding, contentType. The schemas are the `.proto` files next to this module
 * (read from `src/apiserver/protobuf/` when running from `dist/`, which tsc does not copy them
 * to); see meta.proto for the two skiff field options that shape the JSON result.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

/** The four bytes every Kubernetes protobuf body starts with: `k8s\0`. */
export const protobufMagic: Buffer = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export const protobufContentType = 'application/vnd.kubernetes.protobuf';

export type ProtobufDecodeErrorReason =
  /** The body does not start with the magic. */
  | 'NotProtobuf'
  /** The envelope or the object's message does not parse. */
  | 'Malformed'
  /** The kind, or a content encoding / content type inside the envelope, is not supported. */
  | 'UnsupportedKind'
  /** The object sets a field skiff has no schema for (rather than silently dropping it). */
  | 'UnsupportedField';

/**
 * Why a body could not be decoded. `UnsupportedKind` and `UnsupportedField` are meant to become
 * 415 Unsupported Media Type, `NotProtobuf` and `Malformed` 400 Bad Request.
 */
export class ProtobufDecodeError extends Error {
  readonly reason: ProtobufDecodeErrorReason;
  readonly apiVersion: string | undefined;
  readonly kind: string | undefined;

  constructor(reason: ProtobufDecodeErrorReason, message: string, apiVersion?: string, kind?: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
    this.reason = reason;
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

/** The envelope of a protobuf body, before the object itself is decoded. */
export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

const metaPkg = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** apiVersion + kind → message. DeleteOptions is accepted under any apiVersion (see below). */
const kinds: Record<string, string> = {
  'v1/Namespace': 'k8s.io.api.core.v1.Namespace',
  'v1/ConfigMap': 'k8s.io.api.core.v1.ConfigMap',
  'v1/Secret': 'k8s.io.api.core.v1.Secret',
  'v1/Service': 'k8s.io.api.core.v1.Service',
  'v1/ServiceAccount': 'k8s.io.api.core.v1.ServiceAccount',
  'v1/ResourceQuota': 'k8s.io.api.core.v1.ResourceQuota',
  'v1/Pod': 'k8s.io.api.core.v1.Pod',
  'apps/v1/Deployment': 'k8s.io.api.apps.v1.Deployment',
  'batch/v1/Job': 'k8s.io.api.batch.v1.Job',
  'batch/v1/CronJob': 'k8s.io.api.batch.v1.CronJob',
  'rbac.authorization.k8s.io/v1/Role': 'k8s.io.api.rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'k8s.io.api.rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'k8s.io.api.rbac.v1.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'k8s.io.api.rbac.v1.ClusterRoleBinding',
  'policy/v1/PodDisruptionBudget': 'k8s.io.api.policy.v1.PodDisruptionBudget',
  'policy/v1/Eviction': 'k8s.io.api.policy.v1.Eviction',
  'scheduling.k8s.io/v1/PriorityClass': 'k8s.io.api.scheduling.v1.PriorityClass',
  'networking.k8s.io/v1/Ingress': 'k8s.io.api.networking.v1.Ingress',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'k8s.io.api.authorization.v1.SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'k8s.io.api.authorization.v1.SelfSubjectRulesReview',
  'authentication.k8s.io/v1/TokenRequest': 'k8s.io.api.authentication.v1.TokenRequest',
};

const protoFiles = [
  'runtime.proto',
  'meta.proto',
  'intstr.proto',
  'resource.proto',
  'core.proto',
  'apps.proto',
  'batch.proto',
  'rbac.proto',
  'policy.proto',
  'scheduling.proto',
  'networking.proto',
  'authorization.proto',
  'authentication.proto',
];

/** "apps/v1 Deployment", … : every apiVersion and kind decodeProtobufObject accepts. */
export function supportedProtobufKinds(): string[] {
  const list = Object.keys(kinds).map((key) => {
    const slash = key.lastIndexOf('/');
    return `${key.slice(0, slash)} ${key.slice(slash + 1)}`;
  });
  return [...list, '<any>/v1 DeleteOptions'];
}

/** True when the body starts with the Kubernetes protobuf magic `k8s\0`. */
export function isProtobufBody(buf: Uint8Array): boolean {
  return (
    buf.length >= 4 &&
    buf[0] === protobufMagic[0] &&
    buf[1] === protobufMagic[1] &&
    buf[2] === protobufMagic[2] &&
    buf[3] === protobufMagic[3]
  );
}

let root: protobuf.Root | undefined;

/** Where the .proto files are: next to this module (src/), else back in src/ (from dist/). */
function protoDir(): string {
  const here = import.meta.dirname;
  const candidates = [here, path.join(here, '../../../src/apiserver/protobuf')];
  const dir = candidates.find((d) => existsSync(path.join(d, 'meta.proto')));
  if (!dir) throw new Error(`protobuf schemas (meta.proto, …) not found in ${candidates.join(' or ')}`);
  return dir;
}

function schemas(): protobuf.Root {
  if (!root) {
    const dir = protoDir();
    const r = new protobuf.Root();
    r.loadSync(
      protoFiles.map((f) => path.join(dir, f)),
      { keepCase: true },
    );
    r.resolveAll();
    root = r;
  }
  return root;
}

function typeOf(name: string): protobuf.Type {
  return schemas().lookupType(name);
}

/** Reads the magic and the runtime.Unknown envelope. */
export function readProtobufEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (!isProtobufBody(body)) {
    throw new ProtobufDecodeError(
      'NotProtobuf',
      'the body does not start with the Kubernetes protobuf magic "k8s\\0"',
    );
  }
  const unknownType = typeOf('k8s.io.apimachinery.pkg.runtime.Unknown');
  const bytes = body.subarray(4);
  let env: {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
    contentEncoding?: string;
    contentType?: string;
  };
  try {
    checkFields(unknownType, bytes, '');
    env = unknownType.toObject(unknownType.decode(bytes), { defaults: false, longs: Number }) as typeof env;
  } catch (e) {
    if (e instanceof ProtobufDecodeError) throw e;
    throw new ProtobufDecodeError(
      'Malformed',
      `the protobuf envelope (runtime.Unknown) does not parse: ${errText(e)}`,
    );
  }
  const apiVersion = env.typeMeta?.apiVersion ?? '';
  const kind = env.typeMeta?.kind ?? '';
  if (!apiVersion || !kind) {
    throw new ProtobufDecodeError(
      'Malformed',
      'the protobuf envelope names no apiVersion and kind',
      apiVersion,
      kind,
    );
  }
  return {
    apiVersion,
    kind,
    raw: env.raw ?? new Uint8Array(0),
    contentEncoding: env.contentEncoding ?? '',
    contentType: env.contentType ?? '',
  };
}

/**
 * Decodes a whole protobuf body into the object as the JSON API carries it: apiVersion and kind
 * set, Kubernetes JSON field names, absent optional fields absent, `omitempty` zero values
 * dropped, bytes as base64, Time as RFC 3339, IntOrString as a number or string, Quantity as its
 * string, empty lists and maps left out. Throws ProtobufDecodeError.
 */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  const env = readProtobufEnvelope(body);
  const { apiVersion, kind } = env;
  const name = kind === 'DeleteOptions' ? `${metaPkg}.DeleteOptions` : kinds[`${apiVersion}/${kind}`];
  if (!name) {
    throw new ProtobufDecodeError(
      'UnsupportedKind',
      `skiff cannot decode ${kind} (${apiVersion}) from protobuf; send it as application/json`,
      apiVersion,
      kind,
    );
  }
  if (env.contentEncoding !== '') {
    throw new ProtobufDecodeError(
      'UnsupportedKind',
      `unsupported content encoding "${env.contentEncoding}" for ${kind} in the protobuf envelope`,
      apiVersion,
      kind,
    );
  }
  if (env.contentType !== '' && env.contentType !== protobufContentType) {
    throw new ProtobufDecodeError(
      'UnsupportedKind',
      `unsupported content type "${env.contentType}" for ${kind} in the protobuf envelope`,
      apiVersion,
      kind,
    );
  }
  const type = typeOf(name);
  let message: protobuf.Message;
  try {
    checkFields(type, env.raw, '', apiVersion, kind);
    message = type.decode(env.raw);
  } catch (e) {
    if (e instanceof ProtobufDecodeError) throw e;
    throw new ProtobufDecodeError(
      'Malformed',
      `the ${kind} in the body does not parse: ${errText(e)}`,
      apiVersion,
      kind,
    );
  }
  try {
    const plain = type.toObject(message, { defaults: false, longs: Number, bytes: String, enums: String });
    return { apiVersion, kind, ...objectToJson(type, plain) };
  } catch (e) {
    throw new ProtobufDecodeError(
      'Malformed',
      `the ${kind} in the body does not convert: ${errText(e)}`,
      apiVersion,
      kind,
    );
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- schema check: every field on the wire must be one skiff knows ----

/** Wire type of a non-packed field of the given protobuf type. */
function wireType(type: string): number {
  switch (type) {
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return 1;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return 5;
    case 'string':
    case 'bytes':
      return 2;
    default:
      // The other scalars are varints; anything else here is a message.
      return Object.hasOwn(protobuf.types.basic, type) ? 0 : 2;
  }
}

/**
 * Walks the wire form of a message against its schema: an unknown field number is refused
 * (UnsupportedField) instead of being dropped, and a wire type that does not match the schema is
 * Malformed. `at` is the JSON path so far, for the error message.
 */
function checkFields(
  type: protobuf.Type,
  bytes: Uint8Array,
  at: string,
  apiVersion?: string,
  kind?: string,
): void {
  const reader = protobuf.Reader.create(bytes);
  const seen = new Map<number, number>();
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    const field = type.fieldsById[id];
    if (!field) {
      if (id === 0 || wt > 5) throw new Error(`invalid tag ${tag} in ${type.name}`);
      throw new ProtobufDecodeError(
        'UnsupportedField',
        `${kind ?? 'the object'} sets field number ${id} of ${type.fullName.slice(1)}${at ? ` at ${at}` : ''}, which skiff does not support; send it as application/json`,
        apiVersion,
        kind,
      );
    }
    const index = seen.get(id) ?? 0;
    seen.set(id, index + 1);
    const inline = field.options?.['(skiff.inline)'] === true;
    const here = inline
      ? at
      : field.repeated && !field.map
        ? `${join(at, field.name)}[${index}]`
        : join(at, field.name);
    const expected = field.map ? 2 : wireType(field.type);
    const packed = field.repeated && !field.map && wt === 2 && expected !== 2;
    if (wt !== expected && !packed) {
      throw new Error(`field ${here || field.name} has wire type ${wt}, expected ${expected}`);
    }
    if (field.map) {
      const valueType = field.resolvedType;
      const entry = reader.bytes();
      if (valueType instanceof protobuf.Type) checkMapEntry(valueType, entry, here, apiVersion, kind);
      continue;
    }
    const sub = field.resolvedType;
    if (sub instanceof protobuf.Type) {
      checkFields(sub, reader.bytes(), here, apiVersion, kind);
    } else {
      reader.skipType(wt);
    }
  }
}

function checkMapEntry(
  valueType: protobuf.Type,
  entry: Uint8Array,
  at: string,
  apiVersion?: string,
  kind?: string,
): void {
  const reader = protobuf.Reader.create(entry);
  let key = '';
  const values: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 0x0a) key = reader.string();
    else if (tag === 0x12) values.push(reader.bytes());
    else reader.skipType(tag & 7);
  }
  for (const v of values) checkFields(valueType, v, `${at}[${JSON.stringify(key)}]`, apiVersion, kind);
}

function join(at: string, name: string): string {
  return at ? `${at}.${name}` : name;
}

// ---- protobufjs plain object → Kubernetes JSON ----

type Plain = Record<string, unknown>;

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function objectToJson(type: protobuf.Type, plain: Plain): Plain {
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const v = plain[field.name];
    if (v === undefined || v === null) continue;
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    let value: unknown;
    if (field.map) {
      const entries = Object.entries(v as Plain);
      if (entries.length === 0) continue;
      value = Object.fromEntries(
        entries.map(([k, x]) => [k, sub ? (messageToJson(sub, x as Plain) ?? null) : x]),
      );
    } else if (field.repeated) {
      const items = v as unknown[];
      if (items.length === 0) continue;
      value = items.map((x) => (sub ? (messageToJson(sub, x as Plain) ?? null) : x));
    } else if (sub) {
      value = messageToJson(sub, v as Plain);
    } else {
      if (isZero(v) && field.options?.['(skiff.keep)'] !== true) continue;
      value = v;
    }
    if (value === undefined) continue;
    if (field.options?.['(skiff.inline)'] === true && typeof value === 'object') Object.assign(out, value);
    else out[field.name] = value;
  }
  return out;
}

/** A message in its JSON form; undefined for the values JSON leaves out (the zero Time). */
function messageToJson(type: protobuf.Type, plain: Plain): unknown {
  switch (type.fullName) {
    case `.${metaPkg}.Time`:
      return formatTime(plain, false);
    case `.${metaPkg}.MicroTime`:
      return formatTime(plain, true);
    case `.${metaPkg}.Duration`:
      return formatDuration(Number(plain.duration ?? 0));
    case `.${metaPkg}.FieldsV1`:
      return plain.Raw ? JSON.parse(Buffer.from(String(plain.Raw), 'base64').toString('utf8')) : {};
    case '.k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return Number(plain.type ?? 0) === 1 ? String(plain.strVal ?? '') : Number(plain.intVal ?? 0);
    case '.k8s.io.apimachinery.pkg.api.resource.Quantity':
      return String(plain.string ?? '');
    default:
      return objectToJson(type, plain);
  }
}

/**
 * metav1.Time as JSON: RFC 3339 in UTC, whole seconds ("2026-01-02T03:04:05Z"); MicroTime keeps
 * six fractional digits. An empty message is Go's zero time, which JSON carries as null: left out.
 */
function formatTime(plain: Plain, micro: boolean): string | undefined {
  if (plain.seconds === undefined && plain.nanos === undefined) return undefined;
  const seconds = Number(plain.seconds ?? 0);
  const nanos = Number(plain.nanos ?? 0);
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** metav1.Duration as JSON: Go's time.Duration.String() ("1h2m3.5s", "150ms", "0s"). */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  const decimal = (value: number, unit: number): string => {
    const whole = Math.floor(value / unit);
    const frac = value % unit;
    if (frac === 0) return String(whole);
    const digits = String(unit).length - 1;
    return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
  };
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${decimal(n, 1e3)}µs`;
  if (n < 1e9) return `${sign}${decimal(n, 1e6)}ms`;
  const hours = Math.floor(n / 3.6e12);
  n -= hours * 3.6e12;
  const minutes = Math.floor(n / 6e10);
  n -= minutes * 6e10;
  const h = hours > 0 ? `${hours}h` : '';
  const m = hours > 0 || minutes > 0 ? `${minutes}m` : '';
  return `${sign}${h}${m}${decimal(n, 1e9)}s`;
}

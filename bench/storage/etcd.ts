import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { MethodDefinition, ServiceDefinition } from '@grpc/proto-loader';
import * as protoLoader from '@grpc/proto-loader';
import type { BenchTarget } from './target.ts';

const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

// --- wire types (proto-loader output with keepCase: false, longs: Number, enums: String, defaults: true) ---

interface ResponseHeader {
  revision: number;
}

interface KeyValue {
  key: Buffer;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
}

interface RangeRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  limit?: number;
}

interface RangeResponse {
  header: ResponseHeader | null;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

interface PutRequest {
  key: Buffer;
  value: Buffer;
}

interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  key: Buffer;
  createRevision?: number;
  modRevision?: number;
}

interface RequestOp {
  requestPut?: PutRequest;
  requestRange?: RangeRequest;
}

interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

interface TxnResponse {
  header: ResponseHeader | null;
  succeeded: boolean;
}

interface WatchRequest {
  createRequest?: { key: Buffer; rangeEnd: Buffer; startRevision?: number; prevKv?: boolean };
  cancelRequest?: { watchId: number };
}

interface WatchEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue | null;
}

interface WatchResponse {
  header: ResponseHeader | null;
  watchId: number;
  created: boolean;
  canceled: boolean;
  cancelReason: string;
  events: WatchEvent[];
}

// --- proto loading ---

const packageDefinition = protoLoader.loadSync(path.join(import.meta.dirname, 'etcd.proto'), {
  keepCase: false,
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
});

function method(service: string, name: string): MethodDefinition<object, object> {
  const definition = packageDefinition[`etcdserverpb.${service}`] as ServiceDefinition | undefined;
  const found = definition?.[name];
  if (found === undefined || typeof found.path !== 'string') {
    throw new Error(`etcd.proto has no method etcdserverpb.${service}.${name}`);
  }
  return found;
}

const RANGE = method('KV', 'Range');
const TXN = method('KV', 'Txn');
const WATCH = method('Watch', 'Watch');

function unary<Req extends object, Res>(
  client: grpc.Client,
  def: MethodDefinition<object, object>,
  request: Req,
  options: grpc.CallOptions = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest<Req, Res>(
      def.path,
      def.requestSerialize,
      def.responseDeserialize as (bytes: Buffer) => Res,
      request,
      options,
      (error, response) => {
        if (error) reject(error);
        else if (response === undefined) reject(new Error(`${def.path}: empty response`));
        else resolve(response);
      },
    );
  });
}

/** The smallest key greater than every key with this prefix (etcd's "prefix + 1"). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  // Every byte is 0xff (or the prefix is empty): the range is "all keys >= prefix".
  return Buffer.from([0]);
}

function grpcAddress(endpoint: string): string {
  return endpoint.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
}

function newClient(endpoint: string): grpc.Client {
  return new grpc.Client(grpcAddress(endpoint), grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // Give each client its own connection rather than sharing one from the global subchannel pool.
    'grpc.use_local_subchannel_pool': 1,
  });
}

// --- target ---

export class EtcdTarget implements BenchTarget {
  readonly name = 'etcd';
  private readonly kv: grpc.Client;
  private readonly watcher: grpc.Client;
  private readonly streams = new Set<grpc.ClientDuplexStream<WatchRequest, WatchResponse>>();

  private constructor(kv: grpc.Client, watcher: grpc.Client) {
    this.kv = kv;
    this.watcher = watcher;
  }

  static async connect(endpoint: string): Promise<EtcdTarget> {
    return new EtcdTarget(newClient(endpoint), newClient(endpoint));
  }

  async create(key: string, value: string): Promise<void> {
    const k = Buffer.from(key);
    const response = await unary<TxnRequest, TxnResponse>(this.kv, TXN, {
      compare: [{ result: 'EQUAL', target: 'CREATE', key: k, createRevision: 0 }],
      success: [{ requestPut: { key: k, value: Buffer.from(value) } }],
      failure: [],
    });
    if (!response.succeeded) throw new Error(`key already exists: ${key}`);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<number> {
    const k = Buffer.from(key);
    const response = await unary<TxnRequest, TxnResponse>(this.kv, TXN, {
      compare: [{ result: 'EQUAL', target: 'MOD', key: k, modRevision: expectedModRevision }],
      success: [{ requestPut: { key: k, value: Buffer.from(value) } }],
      failure: [],
    });
    if (!response.succeeded) throw new Error('conflict');
    if (!response.header) throw new Error('etcd Txn response without header');
    return response.header.revision;
  }

  async get(key: string): Promise<{ value: string; modRevision: number } | undefined> {
    const response = await unary<RangeRequest, RangeResponse>(this.kv, RANGE, { key: Buffer.from(key) });
    const kv = response.kvs[0];
    if (kv === undefined) return undefined;
    return { value: kv.value.toString('utf8'), modRevision: kv.modRevision };
  }

  async list(prefix: string): Promise<number> {
    const key = Buffer.from(prefix);
    const response = await unary<RangeRequest, RangeResponse>(this.kv, RANGE, {
      key,
      rangeEnd: prefixEnd(key),
      limit: 0,
    });
    if (response.more) throw new Error('etcd Range returned a partial result');
    return response.kvs.length;
  }

  watch(prefix: string, onEvent: (key: string, value: string) => void): Promise<() => void> {
    const key = Buffer.from(prefix);
    const stream = this.watcher.makeBidiStreamRequest<WatchRequest, WatchResponse>(
      WATCH.path,
      WATCH.requestSerialize,
      WATCH.responseDeserialize as (bytes: Buffer) => WatchResponse,
    );
    this.streams.add(stream);
    let cancelled = false;
    const cancel = (): void => {
      if (cancelled) return;
      cancelled = true;
      this.streams.delete(stream);
      stream.cancel();
    };

    return new Promise((resolve, reject) => {
      let created = false;
      stream.on('data', (response: WatchResponse) => {
        if (!created) {
          if (response.created && !response.canceled) {
            created = true;
            resolve(cancel);
          } else if (response.canceled) {
            cancel();
            reject(new Error(`etcd refused the watch on ${prefix}: ${response.cancelReason || 'canceled'}`));
            return;
          }
        }
        for (const event of response.events) {
          if (event.type === 'PUT' && event.kv) {
            onEvent(event.kv.key.toString('utf8'), event.kv.value.toString('utf8'));
          }
        }
      });
      // Always listen for errors: cancel() ends the call with CANCELLED, which must not go unhandled.
      stream.on('error', (error: grpc.ServiceError) => {
        this.streams.delete(stream);
        if (!created) reject(error);
        else if (!cancelled && error.code !== grpc.status.CANCELLED) {
          console.error(`etcd watch on ${prefix} failed: ${error.message}`);
        }
      });
      stream.on('end', () => {
        this.streams.delete(stream);
        if (!created) reject(new Error(`etcd watch stream on ${prefix} ended before the watch was created`));
      });
      stream.write({ createRequest: { key, rangeEnd: prefixEnd(key), startRevision: 0, prevKv: false } });
    });
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.cancel();
    this.streams.clear();
    this.kv.close();
    this.watcher.close();
  }
}

/**
 * A client for the parts of containerd's own gRPC API that the agent needs beside CRI: leases,
 * content and images (the services `ctr images import` uses). Every call carries the
 * `containerd-namespace` header, and `containerd-lease` when a lease is given, so that blobs
 * written under it are safe from garbage collection until an image refers to them.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, unixTarget } from '../../cri/client.ts';

// biome-ignore lint/suspicious/noExplicitAny: messages are untyped plain objects from proto-loader.
export type ContainerdMessage = Record<string, any>;

export interface ContainerdCallOptions {
  /** Lease id sent as `containerd-lease`. */
  lease?: string;
  /** Deadline; default 60 s. */
  timeoutMs?: number;
}

export type ContainerdCall = (
  req: ContainerdMessage,
  opts?: ContainerdCallOptions,
) => Promise<ContainerdMessage>;

const SERVICES = {
  leases: {
    pkg: 'containerd.services.leases.v1',
    service: 'Leases',
    rpcs: ['Create', 'Delete', 'List', 'AddResource'],
  },
  content: { pkg: 'containerd.services.content.v1', service: 'Content', rpcs: ['Info', 'Delete', 'Abort'] },
  images: {
    pkg: 'containerd.services.images.v1',
    service: 'Images',
    rpcs: ['Get', 'List', 'Create', 'Update', 'Delete'],
  },
} as const;

type ServiceName = keyof typeof SERVICES;
type LowerFirst<S extends string> = S extends `${infer H}${infer T}` ? `${Lowercase<H>}${T}` : S;
export type ServiceApi<N extends ServiceName> = {
  [K in (typeof SERVICES)[N]['rpcs'][number] as LowerFirst<K>]: ContainerdCall;
};
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

/** The api/ directory with the .proto files: beside this module, or back in src/ from dist/. */
function apiDir(): string {
  const candidates = [
    new URL('./', import.meta.url),
    new URL('../../../../src/agent/containerd/api/', import.meta.url),
  ];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(`${dir}/content.proto`)) return dir;
  }
  throw new Error(
    `containerd api protos not found (looked in ${candidates.map((u) => fileURLToPath(u)).join(', ')})`,
  );
}

let loaded: grpc.GrpcObject | undefined;
function loadApi(): grpc.GrpcObject {
  if (!loaded) {
    const dir = apiDir();
    const def = protoLoader.loadSync(['leases.proto', 'content.proto', 'images.proto'], {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [dir],
    });
    loaded = grpc.loadPackageDefinition(def);
  }
  return loaded;
}

function lookup(root: grpc.GrpcObject, dotted: string): grpc.ServiceClientConstructor {
  let cur: unknown = root;
  for (const part of dotted.split('.')) cur = (cur as Record<string, unknown>)[part];
  if (typeof cur !== 'function') throw new Error(`containerd api lacks ${dotted}`);
  return cur as grpc.ServiceClientConstructor;
}

export class ContainerdClient {
  readonly endpoint: string;
  readonly namespace: string;
  readonly leases: ServiceApi<'leases'>;
  readonly content: ServiceApi<'content'>;
  readonly images: ServiceApi<'images'>;
  private readonly clients = new Map<ServiceName, grpc.Client>();

  constructor(endpoint: string, namespace = 'k8s.io') {
    this.endpoint = endpoint;
    this.namespace = namespace;
    const root = loadApi();
    const target = unixTarget(endpoint);
    const options: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    };
    let channel: ReturnType<grpc.Client['getChannel']> | undefined;
    for (const [name, spec] of Object.entries(SERVICES) as [ServiceName, (typeof SERVICES)[ServiceName]][]) {
      const Ctor = lookup(root, `${spec.pkg}.${spec.service}`);
      const client = new Ctor(target, grpc.credentials.createInsecure(), {
        ...options,
        ...(channel ? { channelOverride: channel as never } : {}),
      });
      channel ??= client.getChannel();
      this.clients.set(name, client);
    }
    this.leases = this.bind('leases');
    this.content = this.bind('content');
    this.images = this.bind('images');
  }

  /** Resolves when the socket accepts a connection; rejects after `waitMs`. */
  async waitForReady(waitMs = 10_000): Promise<void> {
    const client = this.clients.get('content')!;
    try {
      await new Promise<void>((resolve, reject) =>
        client.waitForReady(Date.now() + waitMs, (err) => (err ? reject(err) : resolve())),
      );
    } catch (err) {
      throw new Error(
        `containerd at ${this.endpoint} did not answer within ${waitMs} ms: ${(err as Error).message}`,
      );
    }
  }

  metadata(lease?: string): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('containerd-namespace', this.namespace);
    if (lease) md.set('containerd-lease', lease);
    return md;
  }

  /** content.Write: a bidirectional stream of WriteContentRequest / WriteContentResponse. */
  contentWrite(
    opts: ContainerdCallOptions = {},
  ): grpc.ClientDuplexStream<ContainerdMessage, ContainerdMessage> {
    const client = this.clients.get('content')! as unknown as {
      Write(
        md: grpc.Metadata,
        o: grpc.CallOptions,
      ): grpc.ClientDuplexStream<ContainerdMessage, ContainerdMessage>;
    };
    return client.Write(this.metadata(opts.lease), {
      deadline: Date.now() + (opts.timeoutMs ?? 10 * 60_000),
    });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }

  private bind<N extends ServiceName>(name: N): ServiceApi<N> {
    const client = this.clients.get(name)!;
    const raw = client as unknown as Record<string, (...args: unknown[]) => unknown>;
    const api: Record<string, ContainerdCall> = {};
    for (const rpc of SERVICES[name].rpcs) {
      const method = raw[rpc];
      if (typeof method !== 'function') throw new Error(`containerd ${name} service lacks ${rpc}`);
      api[rpc[0]!.toLowerCase() + rpc.slice(1)] = (req, opts = {}) =>
        new Promise((resolve, reject) => {
          const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
          method.apply(client, [
            req,
            this.metadata(opts.lease),
            { deadline },
            (err: grpc.ServiceError | null, res: ContainerdMessage) => (err ? reject(err) : resolve(res)),
          ]);
        });
    }
    return api as ServiceApi<N>;
  }
}

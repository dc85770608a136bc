/**
 * A CRI (runtime.v1) gRPC client over a unix socket.
 *
 * `await CriClient.connect('/path/containerd.sock')` (or `unix:///path/…`), then
 * `cri.runtime.runPodSandbox({config})`, `cri.image.imageStatus({image: {image}})`, … — one
 * Promise-returning method per RPC, named as the RPC in lowerCamelCase. Messages are plain
 * objects exactly as @grpc/proto-loader gives them (camelCase fields, enums as strings, int64 as
 * numbers, bytes as Buffers, defaults filled in). Failures reject with grpc-js ServiceErrors
 * (`code`, `details`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** A CRI message as proto-loader gives it: callers narrow it to the fields they use. */
// biome-ignore lint/suspicious/noExplicitAny: messages are untyped plain objects from proto-loader.
export type CriMessage = Record<string, any>;

export interface CallOptions {
  /** Deadline for this call; default 2 minutes (the kubelet's runtime request timeout). */
  timeoutMs?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: responses are untyped plain objects from proto-loader.
export type CriCall = (req?: CriMessage, opts?: CallOptions) => Promise<any>;

export const RUNTIME_RPCS = [
  'Version',
  'RunPodSandbox',
  'StopPodSandbox',
  'RemovePodSandbox',
  'PodSandboxStatus',
  'ListPodSandbox',
  'CreateContainer',
  'StartContainer',
  'StopContainer',
  'RemoveContainer',
  'ListContainers',
  'ContainerStatus',
  'UpdateContainerResources',
  'ReopenContainerLog',
  'ExecSync',
  'Exec',
  'Attach',
  'PortForward',
  'ContainerStats',
  'ListContainerStats',
  'PodSandboxStats',
  'ListPodSandboxStats',
  'UpdateRuntimeConfig',
  'Status',
] as const;

export const IMAGE_RPCS = ['ListImages', 'ImageStatus', 'PullImage', 'RemoveImage', 'ImageFsInfo'] as const;

type LowerFirst<S extends string> = S extends `${infer H}${infer T}` ? `${Lowercase<H>}${T}` : S;
export type RuntimeApi = { [K in (typeof RUNTIME_RPCS)[number] as LowerFirst<K>]: CriCall };
export type ImageApi = { [K in (typeof IMAGE_RPCS)[number] as LowerFirst<K>]: CriCall };

export const DEFAULT_CALL_TIMEOUT_MS = 120_000;
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  enums: String,
  longs: Number,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

/** Where api.proto is: beside this module in src/, or back in src/ when running from dist/. */
export function criProtoPath(): string {
  const candidates = [
    new URL('./api.proto', import.meta.url),
    new URL('../../../src/agent/cri/api.proto', import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`CRI api.proto not found (looked in ${candidates.join(', ')})`);
  return found;
}

let cachedPackage: grpc.GrpcObject | undefined;

/** The loaded runtime.v1 package (RuntimeService, ImageService and every message type). */
export function loadCriPackage(): grpc.GrpcObject {
  if (!cachedPackage) {
    const def = protoLoader.loadSync(criProtoPath(), PROTO_LOADER_OPTIONS);
    const root = grpc.loadPackageDefinition(def);
    cachedPackage = (root.runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
  }
  return cachedPackage;
}

/** `/run/x.sock`, `unix:///run/x.sock` or `unix:/run/x.sock` → the grpc-js target `unix:///run/x.sock`. */
export function unixTarget(endpoint: string): string {
  let path = endpoint.trim();
  if (path.startsWith('unix://')) path = path.slice('unix://'.length);
  else if (path.startsWith('unix:')) path = path.slice('unix:'.length);
  if (!path.startsWith('/')) {
    throw new Error(`CRI endpoint must be an absolute unix socket path or unix:// URL, got "${endpoint}"`);
  }
  return `unix://${path}`;
}

function lowerFirst(s: string): string {
  return s[0]!.toLowerCase() + s.slice(1);
}

type UnaryMethod = (
  req: CriMessage,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: CriMessage) => void,
) => grpc.ClientUnaryCall;

function bindService(client: grpc.Client, rpcs: readonly string[]): Record<string, CriCall> {
  const api: Record<string, CriCall> = {};
  const raw = client as unknown as Record<string, UnaryMethod>;
  for (const rpc of rpcs) {
    const method = raw[rpc];
    if (typeof method !== 'function') throw new Error(`CRI proto lacks RPC ${rpc}`);
    api[lowerFirst(rpc)] = (req = {}, opts = {}) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
        method.call(client, req, { deadline }, (err, res) => {
          if (err) reject(err);
          else resolve(res);
        });
      });
  }
  return api;
}

export interface ConnectOptions {
  /** How long to wait for the socket to accept a connection; default 10 s. 0 = do not wait. */
  waitMs?: number;
}

export class CriClient {
  readonly endpoint: string;
  readonly runtime: RuntimeApi;
  readonly image: ImageApi;
  private readonly runtimeClient: grpc.Client;
  private readonly imageClient: grpc.Client;

  private constructor(endpoint: string) {
    this.endpoint = endpoint;
    const pkg = loadCriPackage();
    const target = unixTarget(endpoint);
    const options: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // containerd restarts under its supervisor: reconnect quickly instead of after grpc's 1 s+ backoff.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
    };
    const Runtime = pkg.RuntimeService as grpc.ServiceClientConstructor;
    const Image = pkg.ImageService as grpc.ServiceClientConstructor;
    this.runtimeClient = new Runtime(target, grpc.credentials.createInsecure(), options);
    // Share one channel between both services.
    this.imageClient = new Image(target, grpc.credentials.createInsecure(), {
      ...options,
      channelOverride: this.runtimeClient.getChannel(),
    });
    this.runtime = bindService(this.runtimeClient, RUNTIME_RPCS) as RuntimeApi;
    this.image = bindService(this.imageClient, IMAGE_RPCS) as ImageApi;
  }

  /** Opens a client; rejects with a clear error when the socket does not answer within `waitMs`. */
  static async connect(endpoint: string, opts: ConnectOptions = {}): Promise<CriClient> {
    const client = new CriClient(endpoint);
    const waitMs = opts.waitMs ?? 10_000;
    if (waitMs > 0) {
      try {
        await new Promise<void>((resolve, reject) =>
          client.runtimeClient.waitForReady(Date.now() + waitMs, (err) => (err ? reject(err) : resolve())),
        );
      } catch (err) {
        client.close();
        throw new Error(
          `CRI endpoint ${endpoint} did not accept a connection within ${waitMs} ms: ${(err as Error).message}`,
        );
      }
    }
    return client;
  }

  close(): void {
    this.imageClient.close();
    this.runtimeClient.close();
  }
}

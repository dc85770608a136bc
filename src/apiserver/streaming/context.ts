import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Registry } from '../../registry/registry.ts';

/** What the API server needs to reach node agents' streaming endpoints. */
export interface KubeletStreamingConfig {
  readonly registry: Registry;
  /** The API server's kubelet-client certificate (see ensureApiserverClientCert). */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** Signs the agents' serving certificates. */
  readonly serverCaPem: string;
}

export interface StreamingContext {
  readonly config: KubeletStreamingConfig;
  /** Set for an upgrade request: the client's raw socket and the bytes read past its headers. */
  readonly upgrade?: { readonly socket: Duplex; readonly head: Buffer };
}

const contexts = new WeakMap<IncomingMessage, StreamingContext>();

/** serve.ts attaches the streaming config (and the upgrade socket) to each request it passes on. */
export function attachStreamingContext(req: IncomingMessage, ctx: StreamingContext): void {
  contexts.set(req, ctx);
}

export function streamingContext(req: IncomingMessage): StreamingContext | undefined {
  return contexts.get(req);
}

const takenOver = new WeakSet<IncomingMessage>();

/** The streaming handler now owns the upgrade request's socket. */
export function markTakenOver(req: IncomingMessage): void {
  takenOver.add(req);
}

export function isTakenOver(req: IncomingMessage): boolean {
  return takenOver.has(req);
}

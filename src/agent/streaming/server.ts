import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { badRequest, notFound, rejectUpgrade, replyError, StreamingError } from './http-status.ts';
import { serveContainerLogs } from './logs-route.ts';
import { servePortForward } from './portforward.ts';
import { serveRemoteCommand, streamOptions } from './remotecommand.ts';
import type { StreamingLog, StreamingRuntime } from './types.ts';

export interface StreamingServerOptions {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly tls: { readonly certPem: string; readonly keyPem: string; readonly clientCaPem: string };
  /** Client certificate CNs allowed in (the API server's kubelet-client certificate). */
  readonly allowedUsers: readonly string[];
  readonly runtime: StreamingRuntime;
  readonly log: StreamingLog;
}

/** A plain request handler, or an upgrade handler when the request asks to switch protocols. */
export type RouteHandler = (
  req: IncomingMessage,
  target: { res: ServerResponse } | { socket: Duplex; head: Buffer },
  rest: string[],
  query: URLSearchParams,
) => void | Promise<void>;

export interface StreamingServer {
  readonly port: number;
  close(): Promise<void>;
  /** Serves more paths (the kubelet's /pods, /healthz, …); the longest matching prefix wins. */
  addRoute(method: string, pathPrefix: string, handler: RouteHandler): void;
}

interface Route {
  method: string;
  prefix: string;
  handler: RouteHandler;
}

/**
 * The node agent's streaming endpoint, as the kubelet's server: HTTPS, HTTP/1.1, a client
 * certificate from the client CA whose CN is one of allowedUsers. Routes:
 * GET /containerLogs/{ns}/{pod}/{container}, GET|POST /exec|/attach/{ns}/{pod}/{container},
 * GET|POST /portForward/{ns}/{pod}.
 */
export async function startStreamingServer(options: StreamingServerOptions): Promise<StreamingServer> {
  const { runtime, log } = options;
  const routes: Route[] = [];
  const addRoute = (method: string, prefix: string, handler: RouteHandler) => {
    routes.push({ method: method.toUpperCase(), prefix, handler });
    routes.sort((a, b) => b.prefix.length - a.prefix.length);
  };

  const refuse = (req: IncomingMessage): StreamingError | undefined => {
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return new StreamingError(401, 'Unauthorized', 'Unauthorized');
    const cn = socket.getPeerCertificate()?.subject?.CN;
    const name = Array.isArray(cn) ? cn[0] : cn;
    if (!name || !options.allowedUsers.includes(name)) {
      return new StreamingError(
        403,
        'Forbidden',
        `User "${name ?? ''}" may not use the node's streaming endpoint`,
      );
    }
    return undefined;
  };

  const dispatch = async (
    req: IncomingMessage,
    target: { res: ServerResponse } | { socket: Duplex; head: Buffer },
  ) => {
    const fail = (err: unknown) =>
      'res' in target ? replyError(target.res, err) : rejectUpgrade(target.socket, err);
    try {
      const denied = refuse(req);
      if (denied) return fail(denied);
      const url = new URL(req.url ?? '/', 'https://node');
      const route = routes.find((r) => r.method === req.method && url.pathname.startsWith(r.prefix));
      if (!route) return fail(notFound(`no handler for ${req.method} ${url.pathname}`));
      const rest = url.pathname.slice(route.prefix.length).split('/').filter(Boolean).map(decodeURIComponent);
      await route.handler(req, target, rest, url.searchParams);
    } catch (err) {
      log.warn(
        { err: err instanceof Error ? err.message : String(err), url: req.url },
        'streaming request failed',
      );
      fail(err);
    }
  };

  const remoteCommand =
    (kind: 'exec' | 'attach'): RouteHandler =>
    async (req, target, rest, query) => {
      if (!('socket' in target)) throw badRequest('Upgrade request required');
      const [namespace, pod, container] = rest;
      if (!namespace || !pod || !container || rest.length > 3)
        throw notFound(`expected /${kind}/{namespace}/{pod}/{container}`);
      const o = streamOptions(query);
      const ref = await runtime.findContainer(namespace, pod, container, { previous: false });
      if (!ref) throw notFound(`container "${container}" in pod "${pod}" not found`);
      if (!ref.running) throw badRequest(`container "${container}" in pod "${pod}" is not running`);
      let url: string;
      if (kind === 'exec') {
        const cmd = query.getAll('command');
        if (!cmd.length) throw badRequest('you must specify at least one command for the container');
        ({ url } = await runtime.cri.runtime.exec({ containerId: ref.containerId, cmd, ...o }));
      } else {
        ({ url } = await runtime.cri.runtime.attach({ containerId: ref.containerId, ...o }));
      }
      await serveRemoteCommand(req, target.socket, target.head, url, o, log);
    };

  const portForward: RouteHandler = async (req, target, rest, query) => {
    if (!('socket' in target)) throw badRequest('Upgrade request required');
    const [namespace, pod] = rest;
    if (!namespace || !pod || rest.length > 2) throw notFound('expected /portForward/{namespace}/{pod}');
    const podSandboxId = await findSandbox(runtime, namespace, pod);
    const { url } = await runtime.cri.runtime.portForward({ podSandboxId, port: [] });
    await servePortForward(req, target.socket, target.head, url, query, log);
  };

  // GET for WebSocket clients, POST for SPDY ones, as the kubelet serves them.
  for (const method of ['GET', 'POST']) {
    addRoute(method, '/exec/', remoteCommand('exec'));
    addRoute(method, '/attach/', remoteCommand('attach'));
    addRoute(method, '/portForward/', portForward);
  }
  addRoute('GET', '/containerLogs/', async (_req, target, rest, query) => {
    if (!('res' in target)) throw badRequest('logs are not served over an upgraded connection');
    const [namespace, pod, container] = rest;
    if (!namespace || !pod || !container || rest.length > 3) {
      throw notFound('expected /containerLogs/{namespace}/{pod}/{container}');
    }
    await serveContainerLogs(runtime, target.res, { namespace, pod, container }, query);
  });

  const server = https.createServer(
    {
      cert: options.tls.certPem,
      key: options.tls.keyPem,
      ca: options.tls.clientCaPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => void dispatch(req, { res }),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void dispatch(req, { socket, head });
  });
  server.requestTimeout = 0;
  // Longer than clients' idle keep-alive (Node's global agent frees sockets after 5 s): the
  // client closes an idle connection first, instead of reusing one this side just closed
  // (ECONNRESET on the API server's next request).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const sockets = new Set<Duplex>();
  server.on('upgrade', (_req, socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  log.info({ port: (server.address() as AddressInfo).port }, 'node streaming endpoint listening');
  return {
    port: (server.address() as AddressInfo).port,
    addRoute,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}

/** The pod's ready sandbox: from the kubelet if it knows it, else by the CRI pod labels. */
async function findSandbox(runtime: StreamingRuntime, namespace: string, pod: string): Promise<string> {
  const ref = await runtime.findContainer(namespace, pod, undefined, { previous: false });
  if (ref?.podSandboxId) return ref.podSandboxId;
  const labels: Record<string, string> = ref?.podUid
    ? { 'io.kubernetes.pod.uid': ref.podUid }
    : { 'io.kubernetes.pod.namespace': namespace, 'io.kubernetes.pod.name': pod };
  const { items } = await runtime.cri.runtime.listPodSandbox({
    filter: { state: { state: 'SANDBOX_READY' }, labelSelector: labels },
  });
  const id = (items as { id: string }[] | undefined)?.[0]?.id;
  if (!id) throw notFound(`pod "${pod}" in namespace "${namespace}" has no running sandbox on this node`);
  return id;
}

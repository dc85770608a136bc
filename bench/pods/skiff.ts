/**
 * skiff's side of the pod start-up benchmark: busybox `sleep` pods created through the API
 * (scheduled by skiff's scheduler, started by the embedded agent), each timed from the moment
 * its create request is sent to the moment a watch delivers it with phase Running.
 */
import fs from 'node:fs';
import https from 'node:https';
import { parse } from 'yaml';
import type { RawClient } from '../../test/helpers/https-client.ts';

export const NAMESPACE = 'bench-pods';
const LABEL = 'bench=pods';

export function benchPod(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { bench: 'pods' } },
    spec: {
      // The raw floor starts exactly one container with no volumes: no token volume here either.
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
      ],
    },
  });
}

interface PodEvent {
  type: string;
  object: { metadata?: { name?: string }; spec?: { nodeName?: string }; status?: { phase?: string } };
}

/** A watch on the bench namespace: `running(name)` resolves with the time (performance.now()) Running was seen. */
export class RunningWatch {
  private readonly seen = new Map<string, number>();
  /** When each pod was first seen bound to a node (spec.nodeName set by the scheduler). */
  readonly bound = new Map<string, number>();
  private readonly waiters = new Map<string, { resolve: (t: number) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private readonly req: ReturnType<typeof https.request>;
  private closed = false;

  constructor(kubeconfigPath: string, resourceVersion: string) {
    const kc = parse(fs.readFileSync(kubeconfigPath, 'utf8'));
    const url = new URL(kc.clusters[0].cluster.server);
    const b64 = (s: string) => Buffer.from(s, 'base64');
    const user = kc.users[0].user;
    this.req = https.request({
      host: url.hostname,
      port: url.port,
      path: `/api/v1/namespaces/${NAMESPACE}/pods?watch=true&labelSelector=${encodeURIComponent(LABEL)}&resourceVersion=${resourceVersion}&allowWatchBookmarks=false`,
      ca: b64(kc.clusters[0].cluster['certificate-authority-data']),
      cert: b64(user['client-certificate-data']),
      key: b64(user['client-key-data']),
      agent: false,
    });
    this.req.on('response', (res) => {
      if (res.statusCode !== 200) this.fail(new Error(`watch answered ${res.statusCode}`));
      let buf = '';
      res.on('error', (e) => this.fail(e));
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        const now = performance.now();
        buf += d;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) this.event(JSON.parse(line) as PodEvent, now);
        }
      });
      res.on('end', () => {
        this.fail(new Error('the watch ended early'));
      });
    });
    this.req.on('error', (e) => this.fail(e));
    this.req.end();
  }

  private event(e: PodEvent, now: number): void {
    const name = e.object.metadata?.name ?? '';
    if (e.type === 'ERROR') {
      this.fail(new Error(`watch error: ${JSON.stringify(e.object)}`));
      return;
    }
    if (e.object.spec?.nodeName && !this.bound.has(name)) this.bound.set(name, now);
    if (e.object.status?.phase !== 'Running' || this.seen.has(name)) return;
    this.seen.set(name, now);
    this.waiters.get(name)?.resolve(now);
    this.waiters.delete(name);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.failure ??= e;
    for (const w of this.waiters.values()) w.reject(e);
    this.waiters.clear();
  }

  running(name: string, timeoutMs = 120_000): Promise<number> {
    const t = this.seen.get(name);
    if (t !== undefined) return Promise.resolve(t);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`pod ${name} not Running within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.set(name, {
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  close(): void {
    this.closed = true;
    this.req.destroy();
  }
}

/**
 * A client whose requests are tried again once when a kept-alive connection was reset under
 * them (the server closing an idle socket as the request went out).
 */
export function retrying(c: RawClient): RawClient {
  return {
    async request(method, path, options) {
      try {
        return await c.request(method, path, options);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ECONNRESET') throw e;
        return c.request(method, path, options);
      }
    },
    close: () => c.close(),
  };
}

async function ok(r: Promise<{ status: number; body: Buffer }>, what: string, allow?: number) {
  const res = await r;
  if (res.status >= 300 && res.status !== allow)
    throw new Error(`${what}: ${res.status} ${res.body.toString().slice(0, 300)}`);
  return res;
}

export async function ensureNamespace(c: RawClient): Promise<void> {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  const r = await c.request('POST', '/api/v1/namespaces', {
    body,
    headers: { 'Content-Type': 'application/json' },
  });
  if (r.status >= 300 && r.status !== 409) throw new Error(`create namespace: ${r.status}`);
}

/** The list's resourceVersion: a watch from it sees every later change. */
async function listVersion(c: RawClient): Promise<string> {
  const r = await ok(c.request('GET', `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${LABEL}`), 'list');
  return JSON.parse(r.body.toString()).metadata.resourceVersion;
}

export interface SkiffRound {
  /** create sent → Running seen, per pod (ms). */
  total: number[];
  /** create sent → seen bound to the node (the scheduler's share), per pod (ms). */
  scheduled: number[];
  /** Per pod: wall-clock ms (Date.now() scale) when its create was sent and Running was seen. */
  times: Map<string, { sentAt: number; runningAt: number }>;
}

/**
 * Creates `count` pods, all at once (`concurrent`) or each after the previous one is Running;
 * times each pod from its create request to Running on the watch. The pods stay; `deleteAll`
 * removes them.
 */
export async function skiffPods(
  c: RawClient,
  kubeconfig: string,
  round: string,
  count: number,
  concurrent: boolean,
): Promise<SkiffRound> {
  const watch = new RunningWatch(kubeconfig, await listVersion(c));
  // Let the watch's request reach the server before the first create.
  await new Promise((r) => setTimeout(r, 200));
  const scheduled: number[] = [];
  const times = new Map<string, { sentAt: number; runningAt: number }>();
  const one = async (i: number) => {
    const name = `${round}-${i}`;
    const running = watch.running(name);
    const sent = performance.now();
    await ok(
      c.request('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, {
        body: benchPod(name),
        headers: { 'Content-Type': 'application/json' },
      }),
      `create ${name}`,
      409, // a create sent again after a reset connection, when the first one got through
    );
    const at = await running;
    times.set(name, { sentAt: performance.timeOrigin + sent, runningAt: performance.timeOrigin + at });
    scheduled.push(Math.round(((watch.bound.get(name) ?? at) - sent) * 10) / 10);
    return Math.round((at - sent) * 10) / 10;
  };
  try {
    if (concurrent) {
      const total = await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
      return { total, scheduled, times };
    }
    const total: number[] = [];
    for (let i = 0; i < count; i++) total.push(await one(i));
    return { total, scheduled, times };
  } finally {
    watch.close();
  }
}

/** Deletes every bench pod and waits until the API has none (the agent deletes each once its containers are gone). */
export async function deleteAll(c: RawClient, timeoutMs = 180_000): Promise<void> {
  await ok(
    c.request('DELETE', `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${LABEL}`, {
      body: JSON.stringify({ gracePeriodSeconds: 1 }),
      headers: { 'Content-Type': 'application/json' },
    }),
    'delete pods',
  );
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await ok(
      c.request('GET', `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${LABEL}`),
      'list',
    );
    if (JSON.parse(r.body.toString()).items.length === 0) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('bench pods still there after deletion');
}

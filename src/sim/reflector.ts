/**
 * List, then watch from the list's resourceVersion, and again: a relist after "410 Gone" (with
 * the objects that vanished meanwhile reported deleted), a re-watch from the last seen revision
 * when a watch just ends. Only the keys of the objects are kept; their owners keep state.
 */
import { type KubeConfig, type KubernetesObject, Watch } from '@kubernetes/client-node';
import type pino from 'pino';
import { errorText } from '../util/error-text.ts';
import { errorCode } from './api.ts';

export interface ReflectorOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** The collection's path, e.g. /api/v1/pods. */
  path: string;
  fieldSelector?: string;
  list(): Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** Objects of interest; the others are not reported. */
  filter(obj: T): boolean;
  upsert(obj: T): void;
  remove(key: string, obj: T | undefined): void;
  log: pino.Logger;
}

export const keyOf = (o: KubernetesObject) =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? '');

/** No HTTP answer at all (a reset, a refused or timed-out connect), a 429 or a 5xx. */
export function transient(e: unknown): boolean {
  const code = errorCode(e);
  return code === undefined || code === 429 || code >= 500;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Reflector<T extends KubernetesObject> {
  private readonly o: ReflectorOptions<T>;
  private readonly keys = new Set<string>();
  private resourceVersion: string | undefined;
  private abort: AbortController | undefined;
  private stopped = false;
  private synced!: () => void;
  private failed!: (e: unknown) => void;

  constructor(options: ReflectorOptions<T>) {
    this.o = options;
  }

  /** Runs the loop; resolves after the first list, rejects when that fails. */
  start(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => {
      this.synced = resolve;
      this.failed = reject;
    });
    void this.loop();
    return first;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async loop(): Promise<void> {
    let listed = false;
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) {
          await this.relist();
          if (!listed) this.synced();
          listed = true;
        }
        const err = await this.watchOnce();
        if (err && !this.stopped) {
          this.o.log.debug({ path: this.o.path, err: errorText(err) }, 'watch ended; watching again');
          await sleep(500);
        }
      } catch (e) {
        // A first list the server refuses (403, 404) fails the start; one the network or an
        // overloaded server lost is retried, as every later one.
        if (!listed && !transient(e)) return this.failed(e);
        this.o.log.warn({ path: this.o.path, err: errorText(e) }, 'list failed; retrying');
        await sleep(1000);
      }
    }
    if (!listed) this.failed(new Error(`stopped before ${this.o.path} was listed`));
  }

  private async relist(): Promise<void> {
    const list = await this.o.list();
    const seen = new Set<string>();
    for (const obj of list.items) {
      if (!this.o.filter(obj)) continue;
      const key = keyOf(obj);
      seen.add(key);
      this.keys.add(key);
      this.o.upsert(obj);
    }
    for (const key of [...this.keys]) {
      if (seen.has(key)) continue;
      this.keys.delete(key);
      this.o.remove(key, undefined);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '0';
  }

  private watchOnce(): Promise<unknown> {
    return new Promise((resolve) => {
      const query: Record<string, string | number | boolean> = {
        resourceVersion: this.resourceVersion ?? '0',
        allowWatchBookmarks: true,
        // Before client-node's 30 s idle timeout: the server ends quiet watches cleanly.
        timeoutSeconds: 20 + Math.floor(Math.random() * 8),
      };
      if (this.o.fieldSelector) query.fieldSelector = this.o.fieldSelector;
      const onEvent = (type: string, obj: T & { code?: number }) => {
        if (type === 'ERROR') {
          if (obj.code === 410) this.resourceVersion = undefined;
          return;
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (type === 'BOOKMARK') return;
        const key = keyOf(obj);
        if (type === 'DELETED' || !this.o.filter(obj)) {
          if (this.keys.delete(key)) this.o.remove(key, obj);
          return;
        }
        this.keys.add(key);
        this.o.upsert(obj);
      };
      const done = (err: unknown) => {
        if ((err as { statusCode?: number } | null)?.statusCode === 410) this.resourceVersion = undefined;
        resolve(err);
      };
      new Watch(this.o.kc).watch(this.o.path, query, onEvent, done).then((abort) => {
        this.abort = abort;
        if (this.stopped) abort.abort();
      }, done);
    });
  }
}

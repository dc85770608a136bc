/**
 * Keeps a pair of the kernel's tables (one per family) equal to what a builder makes of the
 * caches' state — the mechanism behind the service proxy and the network policy tables.
 * `update()` only records the new state and schedules a sync; syncs are coalesced (a short
 * batch delay, then at most one per `minSyncIntervalMs`), apply one nft transaction for all
 * families — only what changed since the last applied rulesets, or a full replace when there are
 * none — and retry with exponential backoff when nft refuses (the kernel keeps the previous
 * rules: a transaction is all or nothing). Every `checkIntervalMs` a marker rule carrying the
 * generation is read back; a table that was deleted or flushed is rebuilt in full.
 */

import { ret } from './expr.ts';
import { type NftOptions, apply as nftApply, listChain as nftListChain } from './nft.ts';
import { diffCommands, fullCommands, type Ruleset } from './ruleset.ts';
import type { Command } from './types.ts';

export type TableFamily = 'ip' | 'ip6';

/** The chain every built ruleset has, holding the one marker rule. */
export const markerChain = 'generation';

/** A diff command that only rewrites the generation marker chain. */
function onlyMarker(c: Command): boolean {
  const flushed = (c as { flush?: { chain?: { name?: string } } }).flush?.chain?.name;
  const added = (c as { add?: { rule?: { chain?: string } } }).add?.rule?.chain;
  return flushed === markerChain || added === markerChain;
}

export interface SyncLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The two nft operations a syncer needs; tests may pass their own. */
export interface NftRunner {
  apply(commands: Command[], opts: NftOptions): Promise<void>;
  listChain(family: TableFamily, table: string, chain: string, opts: NftOptions): Promise<unknown[] | null>;
}

export interface TableSyncOptions {
  families?: TableFamily[];
  nft?: NftOptions;
  runner?: NftRunner;
  log?: SyncLogger;
  /** Wait this long after the first change of a burst before syncing. Default 10 ms. */
  batchDelayMs?: number;
  /** At most one sync per this interval. Default 250 ms. */
  minSyncIntervalMs?: number;
  /** How often the tables are checked for deletion or flushing. Default 5 s; 0 disables. */
  checkIntervalMs?: number;
  /** First retry delay after a failed transaction, doubled each time up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface SyncStatus {
  generation: number;
  lastSyncAt?: Date;
  lastSyncMs?: number;
  lastSyncKind?: 'full' | 'partial';
  lastError?: string;
  consecutiveFailures: number;
}

/** What a syncer is for: its name in logs and markers, its table, and how to build it. */
export interface TableBuilder<S> {
  /** e.g. "service proxy": in log messages and the marker comment. */
  readonly what: string;
  readonly table: string;
  build(state: S, family: TableFamily, warn: (msg: string) => void): Ruleset;
}

const noLog: SyncLogger = { info() {}, warn() {}, error() {} };
const defaultRunner: NftRunner = { apply: nftApply, listChain: nftListChain };

export class TableSyncer<S> {
  readonly status: SyncStatus = { generation: 0, consecutiveFailures: 0 };
  private readonly opts: TableSyncOptions;
  private readonly builder: TableBuilder<S>;
  private readonly families: TableFamily[];
  private readonly runner: NftRunner;
  private readonly log: SyncLogger;
  private state: S | null = null;
  private applied = new Map<TableFamily, Ruleset>();
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastSyncEnd = 0;
  private stopped = false;

  constructor(builder: TableBuilder<S>, opts: TableSyncOptions) {
    this.builder = builder;
    this.opts = opts;
    this.families = opts.families ?? ['ip', 'ip6'];
    this.runner = opts.runner ?? defaultRunner;
    this.log = opts.log ?? noLog;
  }

  get table(): string {
    return this.builder.table;
  }

  /** Records the caches' current state and schedules a (coalesced) sync. */
  update(state: S): void {
    this.state = state;
    this.dirty = true;
    this.schedule(this.opts.batchDelayMs ?? 10);
  }

  /** Forgets what was applied: the next sync replaces the tables in full. */
  invalidate(): void {
    this.applied.clear();
  }

  /** Starts the periodic check that restores a deleted or flushed table. */
  start(): void {
    const every = this.opts.checkIntervalMs ?? 5000;
    if (every > 0 && !this.checkTimer) {
      this.checkTimer = setInterval(() => void this.check(), every);
      this.checkTimer.unref();
    }
  }

  /** Stops timers and waits for a sync in flight; the tables stay. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.timer = this.checkTimer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.timer) return;
    const wait = Math.max(delayMs, this.lastSyncEnd + (this.opts.minSyncIntervalMs ?? 250) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.dirty) void this.sync();
    }, wait);
  }

  /** Syncs now (after any sync in flight). Resolves once applied; a failure is logged and retried. */
  async sync(): Promise<void> {
    while (this.running) await this.running;
    if (!this.state) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running = this.syncOnce().finally(() => {
      this.running = null;
      this.lastSyncEnd = Date.now();
    });
    await this.running;
  }

  private marker(generation: number): string {
    return `skiff ${this.builder.what} generation ${generation}`;
  }

  private async syncOnce(): Promise<void> {
    if (!this.state) return;
    const state = this.state;
    this.dirty = false;
    const started = performance.now();
    const generation = this.status.generation + 1;
    const next = new Map<TableFamily, Ruleset>();
    const commands: Command[] = [];
    const warnings = new Set<string>();
    let kind: 'full' | 'partial' = 'partial';
    for (const family of this.families) {
      const rs = this.builder.build(state, family, (msg) => warnings.add(msg));
      rs.rule(markerChain, [ret()], this.marker(generation));
      next.set(family, rs);
      const prev = this.applied.get(family);
      const diff = prev ? diffCommands(prev, rs) : null;
      if (diff) commands.push(...diff);
      else {
        kind = 'full';
        commands.push(...fullCommands(rs));
      }
    }
    for (const w of warnings) this.log.warn({}, w);
    // Only the new generation marker: the state changed no rule (most pod events), so no nft run.
    if (kind === 'partial' && commands.every(onlyMarker)) return;
    const what = this.builder.what;
    try {
      await this.runner.apply(commands, this.opts.nft ?? {});
    } catch (err) {
      // The kernel kept the old rules; next time replace everything rather than trust a diff.
      this.applied.clear();
      this.status.consecutiveFailures++;
      this.status.lastError = (err as Error).message;
      const retryIn = Math.min(
        (this.opts.retryMs ?? 1000) * 2 ** (this.status.consecutiveFailures - 1),
        this.opts.maxRetryMs ?? 30_000,
      );
      this.log.error(
        {
          err: (err as Error).message,
          stderr: (err as { stderr?: string }).stderr,
          retryInMs: retryIn,
          kind,
        },
        `${what}: nft transaction failed; previous rules stay in place`,
      );
      this.dirty = true;
      this.schedule(retryIn);
      return;
    }
    this.applied = next;
    this.status.generation = generation;
    this.status.lastSyncAt = new Date();
    this.status.lastSyncMs = performance.now() - started;
    this.status.lastSyncKind = kind;
    this.status.consecutiveFailures = 0;
    delete this.status.lastError;
    this.log.info(
      { generation, kind, ms: Math.round(this.status.lastSyncMs), commands: commands.length },
      `${what} synced`,
    );
    if (this.dirty) this.schedule(0);
  }

  /**
   * Reads each table's marker back; a missing table or marker (deleted, flushed, or replaced by
   * someone else) forgets the applied state and resyncs in full. Returns true if all is in place.
   */
  async check(): Promise<boolean> {
    if (this.running || this.applied.size === 0) return true;
    const want = this.marker(this.status.generation);
    const what = this.builder.what;
    let ok = true;
    for (const family of this.families) {
      let items: unknown[] | null;
      try {
        items = await this.runner.listChain(family, this.table, markerChain, this.opts.nft ?? {});
      } catch (err) {
        this.log.warn({ family, err: (err as Error).message }, `${what}: cannot read the table back`);
        continue;
      }
      const found = (items ?? []).some((i) => (i as { rule?: { comment?: string } }).rule?.comment === want);
      if (!found) {
        ok = false;
        this.log.warn({ family, table: this.table }, `${what}: table deleted or flushed; restoring`);
      }
    }
    if (!ok) {
      this.applied.clear();
      this.dirty = true;
      await this.sync();
    }
    return ok;
  }
}

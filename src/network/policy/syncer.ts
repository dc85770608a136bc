/**
 * Keeps the kernel's policy tables equal to the caches, as the service proxy does its own:
 * `update()` records the state and schedules a coalesced sync; a sync applies one nft
 * transaction for both families (a diff against the last applied ruleset, or a full replace),
 * retries with backoff when nft refuses (the kernel keeps the previous rules), and a periodic
 * check of a marker rule restores a table that was flushed or deleted.
 */
import {
  type Command,
  diffCommands,
  fullCommands,
  type NftOptions,
  apply as nftApply,
  listChain as nftListChain,
  type Ruleset,
  ret,
} from '../nftables/index.ts';
import { buildPolicyRuleset, defaultPolicyTable, type IpFamily, type PolicyInput } from './rules.ts';

export const markerChain = 'generation';

export interface PolicyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PolicyNftRunner {
  apply(commands: Command[], opts: NftOptions): Promise<void>;
  listChain(family: IpFamily, table: string, chain: string, opts: NftOptions): Promise<unknown[] | null>;
}

export interface PolicySyncerOptions {
  nodeName: string;
  nodeIps: string[];
  table?: string;
  families?: IpFamily[];
  nft?: NftOptions;
  runner?: PolicyNftRunner;
  log?: PolicyLogger;
  batchDelayMs?: number;
  minSyncIntervalMs?: number;
  /** Default 5 s; 0 disables. */
  checkIntervalMs?: number;
  retryMs?: number;
  maxRetryMs?: number;
}

export type PolicyState = Pick<PolicyInput, 'policies' | 'pods' | 'namespaces'>;

export interface PolicySyncStatus {
  generation: number;
  lastSyncKind?: 'full' | 'partial';
  lastError?: string;
  consecutiveFailures: number;
}

const noLog: PolicyLogger = { info() {}, warn() {}, error() {} };
const defaultRunner: PolicyNftRunner = { apply: nftApply, listChain: nftListChain };
const markerComment = (generation: number) => `skiff network policy generation ${generation}`;

export class PolicySyncer {
  readonly status: PolicySyncStatus = { generation: 0, consecutiveFailures: 0 };
  private readonly opts: PolicySyncerOptions;
  private readonly families: IpFamily[];
  private readonly runner: PolicyNftRunner;
  private readonly log: PolicyLogger;
  private state: PolicyState | null = null;
  private applied = new Map<IpFamily, Ruleset>();
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastSyncEnd = 0;
  private stopped = false;

  constructor(opts: PolicySyncerOptions) {
    this.opts = opts;
    this.families = opts.families ?? ['ip', 'ip6'];
    this.runner = opts.runner ?? defaultRunner;
    this.log = opts.log ?? noLog;
  }

  get table(): string {
    return this.opts.table ?? defaultPolicyTable;
  }

  update(state: PolicyState): void {
    this.state = state;
    this.dirty = true;
    this.schedule(this.opts.batchDelayMs ?? 10);
  }

  start(): void {
    const every = this.opts.checkIntervalMs ?? 5000;
    if (every > 0 && !this.checkTimer) {
      this.checkTimer = setInterval(() => void this.check(), every);
      this.checkTimer.unref();
    }
  }

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

  /** Syncs now (after any sync in flight); a failure is recorded, logged and retried later. */
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

  private async syncOnce(): Promise<void> {
    if (!this.state) return;
    const state = this.state;
    this.dirty = false;
    const generation = this.status.generation + 1;
    const next = new Map<IpFamily, Ruleset>();
    const commands: Command[] = [];
    let kind: 'full' | 'partial' = 'partial';
    const warnings = new Set<string>();
    for (const family of this.families) {
      const rs = buildPolicyRuleset(
        {
          ...state,
          nodeName: this.opts.nodeName,
          nodeIps: this.opts.nodeIps,
          table: this.table,
          warn: (msg) => warnings.add(msg),
        },
        family,
      );
      rs.rule(markerChain, [ret()], markerComment(generation));
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
    try {
      await this.runner.apply(commands, this.opts.nft ?? {});
    } catch (err) {
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
        'network policy: nft transaction failed; previous rules stay in place',
      );
      this.dirty = true;
      this.schedule(retryIn);
      return;
    }
    this.applied = next;
    this.status.generation = generation;
    this.status.lastSyncKind = kind;
    this.status.consecutiveFailures = 0;
    delete this.status.lastError;
    this.log.info({ generation, kind, commands: commands.length }, 'network policy synced');
    if (this.dirty) this.schedule(0);
  }

  /** Reads the marker back; a flushed or deleted table is rebuilt in full. True if in place. */
  async check(): Promise<boolean> {
    if (this.running || this.applied.size === 0) return true;
    const want = markerComment(this.status.generation);
    let ok = true;
    for (const family of this.families) {
      let items: unknown[] | null;
      try {
        items = await this.runner.listChain(family, this.table, markerChain, this.opts.nft ?? {});
      } catch (err) {
        this.log.warn({ family, err: (err as Error).message }, 'network policy: cannot read the table back');
        continue;
      }
      if (!(items ?? []).some((i) => (i as { rule?: { comment?: string } }).rule?.comment === want))
        ok = false;
    }
    if (!ok) {
      this.log.warn({ table: this.table }, 'network policy: table deleted or flushed; restoring');
      this.applied.clear();
      this.dirty = true;
      await this.sync();
    }
    return ok;
  }
}

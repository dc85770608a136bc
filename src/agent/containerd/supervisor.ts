/**
 * Runs containerd as a supervised child of the agent (or connects to one the user runs).
 *
 * `startContainerd({agentDir, config, log})` writes `<agentDir>/containerd/config.toml`, spawns
 * `containerd --config …` in its own process group (so a terminal's Ctrl-C reaches the agent,
 * which then stops containerd in order), resolves once CRI `Version` answers, and restarts the
 * child with backoff (1 s doubling to 30 s; back to 1 s after 60 s up) whenever it dies,
 * SIGKILL included. Containers keep running across restarts: their shims are not our children.
 * With `endpoint` set (`--container-runtime-endpoint`) there is no child: it only connects.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CriClient } from '../cri/client.ts';
import {
  type ContainerdConfigOptions,
  type ContainerdPaths,
  containerdConfig,
  containerdPaths,
} from './config.ts';

export interface SupervisorLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const quiet: SupervisorLog = { info() {}, warn() {}, error() {} };

export interface StartContainerdOptions {
  /** `<data-dir>/agent`. Required unless `endpoint` is given. */
  agentDir?: string;
  /** Settings for the generated config.toml (agentDir comes from above). */
  config?: Omit<ContainerdConfigOptions, 'agentDir'>;
  /** An existing CRI socket (`--container-runtime-endpoint`): no child process is started. */
  endpoint?: string;
  log?: SupervisorLog;
  /** The containerd binary; default `containerd` from PATH. */
  containerdBin?: string;
  /** How long one start may take until CRI answers; default 30 s. */
  readyTimeoutMs?: number;
  /** Restart backoff; defaults 1 s, 30 s, reset after 60 s up. */
  backoff?: { initialMs?: number; maxMs?: number; resetAfterMs?: number };
}

export interface RestartedEvent {
  pid: number;
  restarts: number;
  downMs: number;
}

export class ContainerdStartError extends Error {
  override readonly name = 'ContainerdStartError';
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Keeps one previous log: containerd.log → containerd.log.1 once it passes `maxBytes`. */
function rotateLog(file: string, maxBytes = 20 * 1024 * 1024): void {
  try {
    if (statSync(file).size > maxBytes) renameSync(file, `${file}.1`);
  } catch {}
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await sleep(25);
  }
  return !alive(pid);
}

export class ContainerdSupervisor extends EventEmitter {
  /** The CRI socket path. */
  readonly endpoint: string;
  /** true when connected to a user's runtime (no child process). */
  readonly external: boolean;
  /** Connected CRI client; it reconnects by itself after restarts. */
  cri!: CriClient;
  restarts = 0;
  private child: ChildProcess | undefined;
  private stopping = false;
  private startedAt = 0;
  /** When the current child first answered CRI (0 until then): the backoff resets after long runs. */
  private readyAt = 0;
  private delayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly opts: StartContainerdOptions;
  private readonly paths: ContainerdPaths | undefined;
  private readonly log: SupervisorLog;

  constructor(opts: StartContainerdOptions) {
    super();
    this.opts = opts;
    this.log = opts.log ?? quiet;
    this.delayMs = opts.backoff?.initialMs ?? 1000;
    if (opts.endpoint) {
      this.endpoint = opts.endpoint.replace(/^unix:\/\//, '');
      this.external = true;
    } else {
      if (!opts.agentDir || !opts.config) {
        throw new ContainerdStartError('startContainerd needs agentDir and config, or an external endpoint');
      }
      this.paths = containerdPaths(opts.agentDir);
      this.endpoint = this.paths.socket;
      this.external = false;
    }
  }

  /** PID of the running containerd child (undefined when external or between restarts). */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get logPath(): string | undefined {
    return this.paths?.log;
  }

  async start(): Promise<void> {
    if (this.external) {
      this.cri = await CriClient.connect(this.endpoint, { waitMs: this.opts.readyTimeoutMs ?? 30_000 });
      await this.waitCri(this.opts.readyTimeoutMs ?? 30_000);
      this.log.info(`using external container runtime at ${this.endpoint}`);
      return;
    }
    const p = this.paths!;
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    writeFileSync(p.config, containerdConfig({ ...this.opts.config!, agentDir: this.opts.agentDir! }));
    await this.killStale();
    await this.spawnAndWait();
    this.cri = await CriClient.connect(this.endpoint, { waitMs: 5000 });
  }

  /** A containerd left over from a crashed agent still holds our socket and root: stop it first. */
  private async killStale(): Promise<void> {
    const pidFile = `${this.paths!.dir}/containerd.pid`;
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && alive(pid) && cmdline(pid).includes(this.paths!.config)) {
      this.log.warn(`stopping containerd ${pid} left over from a previous run`);
      process.kill(pid, 'SIGTERM');
      if (!(await waitGone(pid, 5000))) {
        process.kill(pid, 'SIGKILL');
        await waitGone(pid, 5000);
      }
    }
    rmSync(pidFile, { force: true });
  }

  private async spawnAndWait(): Promise<void> {
    const p = this.paths!;
    // A stale socket file would look "ready" before the new containerd listens.
    rmSync(p.socket, { force: true });
    rmSync(p.ttrpcSocket, { force: true });
    rotateLog(p.log);
    const logFd = openSync(p.log, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.opts.containerdBin ?? 'containerd', ['--config', p.config], {
        detached: true,
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (err) => reject(new ContainerdStartError(`cannot run containerd: ${err.message}`))),
    );
    spawnError.catch(() => {});
    this.child = child;
    this.startedAt = Date.now();
    this.readyAt = 0;
    let exitedEarly = false;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        exitedEarly = true;
        resolve();
        this.onExit(child, code, signal);
      }),
    );
    if (child.pid) writeFileSync(`${p.dir}/containerd.pid`, `${child.pid}\n`);
    const timeoutMs = this.opts.readyTimeoutMs ?? 30_000;
    const until = Date.now() + timeoutMs;
    while (!existsSync(p.socket)) {
      if (exitedEarly) throw new ContainerdStartError(`containerd exited during start-up:\n${tail(p.log)}`);
      if (Date.now() > until) break;
      await Promise.race([sleep(10), spawnError]);
    }
    const probe = await CriClient.connect(this.endpoint, { waitMs: 0 });
    try {
      await Promise.race([
        this.waitCri(Math.max(until - Date.now(), 1000), probe, () => exitedEarly),
        spawnError,
      ]);
    } catch (err) {
      if (!exitedEarly) child.kill('SIGKILL');
      throw new ContainerdStartError(`${(err as Error).message}\ncontainerd log:\n${tail(p.log)}`);
    } finally {
      probe.close();
    }
    this.readyAt = Date.now();
    this.log.info(`containerd ${child.pid} ready in ${this.readyAt - this.startedAt} ms`);
  }

  private async waitCri(ms: number, cri = this.cri, gone = () => false): Promise<void> {
    const until = Date.now() + ms;
    let last: unknown;
    while (Date.now() < until) {
      if (gone()) throw new ContainerdStartError('containerd exited before CRI answered');
      try {
        await cri.runtime.version({ version: 'v1' }, { timeoutMs: 1000 });
        return;
      } catch (err) {
        last = err;
        await sleep(20);
      }
    }
    throw new ContainerdStartError(`CRI at ${this.endpoint} did not answer within ${ms} ms: ${String(last)}`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    rmSync(`${this.paths!.dir}/containerd.pid`, { force: true });
    if (this.stopping) return;
    const upMs = this.readyAt ? Date.now() - this.readyAt : 0;
    const b = this.opts.backoff ?? {};
    if (upMs >= (b.resetAfterMs ?? 60_000)) this.delayMs = b.initialMs ?? 1000;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, b.maxMs ?? 30_000);
    this.log.error(
      `containerd ${child.pid} exited (code ${code}, signal ${signal}) after ${upMs} ms up; restarting in ${delay} ms`,
    );
    this.emit('exit', { pid: child.pid, code, signal });
    const downAt = Date.now();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.spawnAndWait().then(
        () => {
          this.restarts++;
          this.emit('restarted', {
            pid: this.child!.pid!,
            restarts: this.restarts,
            downMs: Date.now() - downAt,
          });
        },
        (err: Error) => {
          // A failed start ends in an exit, which schedules the next attempt with a longer delay;
          // a binary that could not even be spawned never exits, so schedule it here.
          this.log.error(`containerd restart failed: ${err.message}`);
          const failed = this.child;
          if (failed && failed.pid === undefined) this.onExit(failed, null, null);
        },
      );
    }, delay);
  }

  /** Stops containerd: SIGTERM, SIGKILL after `graceMs`, and waits for it to exit. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.cri?.close();
    const child = this.child;
    if (!child || this.external) return;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const done = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        this.log.warn(`containerd ${child.pid} ignored SIGTERM for ${graceMs} ms; killing it`);
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    rmSync(`${this.paths!.dir}/containerd.pid`, { force: true });
  }
}

/** Starts (or connects to) containerd and resolves once CRI answers. */
export async function startContainerd(opts: StartContainerdOptions): Promise<ContainerdSupervisor> {
  const sup = new ContainerdSupervisor(opts);
  try {
    await sup.start();
  } catch (err) {
    await sup.stop(1000).catch(() => {});
    throw err;
  }
  return sup;
}

import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');
const skiff = path.join(root, 'bin', 'run.js');

export interface SimProcess {
  readonly child: ChildProcess;
  /** Port of the control endpoint (the sim runs with --control-port 0). */
  readonly controlPort: number;
  /** Everything the sim logged so far. */
  log(): string;
  /** POSTs /nodes/<name>/<action> to the control endpoint. */
  control(node: string, action: 'silent' | 'resume'): Promise<{ name: string; silent: boolean }>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Starts `skiff sim` (the built dist/) against a kubeconfig; resolves once its nodes are ready. */
export async function startSim(kubeconfig: string, extra: string[] = []): Promise<SimProcess> {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'commands', 'sim.js')))
    throw new Error(
      'dist/cli/commands/sim.js is missing: build first (scripts/with-node.sh tsc -p tsconfig.build.json)',
    );
  const child = spawn(
    process.execPath,
    [skiff, 'sim', '--kubeconfig', kubeconfig, '--control-port', '0', ...extra],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  live.add(child);
  child.once('exit', () => live.delete(child));
  let log = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    log += d;
    if (process.env.SKIFF_TEST_LOG) process.stderr.write(d);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  let controlPort: number;
  try {
    controlPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sim did not get ready within 30 s:\n${log}`)), 30_000);
      const check = () => {
        const m = /"controlPort":(\d+)[^\n]*"msg":"simulated nodes ready"/.exec(log);
        if (!m) return;
        clearTimeout(timer);
        resolve(Number(m[1]));
      };
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sim exited with ${code}:\n${log}`));
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    child,
    controlPort,
    log: () => log,
    async control(node, action) {
      const res = await fetch(`http://127.0.0.1:${controlPort}/nodes/${node}/${action}`, { method: 'POST' });
      if (!res.ok) throw new Error(`control ${action} ${node}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { name: string; silent: boolean };
    },
    stop,
  };
}

/** Retries `fn` until it stops throwing, or rethrows its last error after `ms`. */
export async function eventually<T>(fn: () => Promise<T>, ms = 15_000, every = 200): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, every));
    }
  }
}

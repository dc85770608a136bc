/**
 * Removes everything a node's containerd and its pods leave on the host, even after a crash:
 * sandboxes (through CRI while it still answers), containerd itself, shims and container
 * processes, mounts under the agent dir, pod cgroup directories (runc never removes
 * `<parent>/pod<uid>`), the CNI bridge, host-local/CNI result files for our sandboxes.
 * Used by the root tests' private nodes and by `skiff agent --cleanup`.
 * Every step runs even when an earlier one failed; failures are collected, not thrown.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { CriClient } from '../cri/client.ts';
import { containerdPaths } from './config.ts';

const run = promisify(execFile);

export interface CleanupOptions {
  agentDir: string;
  /** The cgroup parent every pod of this node used (e.g. /skiff or /sk-1234); "" skips cgroups. */
  cgroupParent: string;
  /** The node's CNI bridge; "" skips it. */
  bridge: string;
  /** A client to the node's containerd, to stop and remove sandboxes properly first. */
  cri?: CriClient;
  /** containerd's PID when known (otherwise read from `containerd/containerd.pid`). */
  containerdPid?: number;
  /** Stops a supervised containerd (so it is not restarted); runs before the PID fallback. */
  stopRuntime?: () => Promise<void>;
  /** Also delete agentDir itself. */
  removeDir?: boolean;
}

export interface CleanupReport {
  sandboxesRemoved: number;
  processesKilled: number[];
  unmounted: string[];
  cgroupsRemoved: string[];
  bridgeDeleted: boolean;
  errors: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  superOptions: string;
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [left, right] = line.split(' - ');
    const f = left!.split(' ');
    const r = (right ?? '').split(' ');
    out.push({ mountPoint: unescapeMount(f[4] ?? ''), fsType: r[0] ?? '', superOptions: r[2] ?? '' });
  }
  return out;
}

/** Mount points at or under `dir`, deepest (and most recently mounted) first. */
export function mountsUnder(dir: string, mountinfo = readText('/proc/self/mountinfo')): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const found = parseMountinfo(mountinfo)
    .map((m) => m.mountPoint)
    .filter((p) => p === dir || p.startsWith(prefix));
  // Later entries are mounted on top of earlier ones: reverse, then deepest first.
  return found.reverse().sort((a, b) => b.split('/').length - a.split('/').length);
}

/** Every cgroup hierarchy root (v1 controllers and v2) mounted on this machine. */
export function cgroupRoots(mountinfo = readText('/proc/self/mountinfo')): string[] {
  const roots = parseMountinfo(mountinfo)
    .filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2')
    .map((m) => m.mountPoint);
  return [...new Set(roots)];
}

/** PIDs whose command line mentions `needle` (shims name the containerd socket in theirs). */
export function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (readText(`/proc/${pid}/cmdline`).replaceAll('\0', ' ').includes(needle)) pids.push(pid);
  }
  return pids;
}

function cgroupDirsDeepestFirst(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {}
    }
    out.push(d);
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/**
 * The socket a containerd 1.6 runc v2 shim listens on, from its argv: containerd names it
 * /run/containerd/s/<hex sha256 of "<address>/<namespace>/<id>">, shared by every instance.
 */
export function shimSocketPath(argv: string[]): string | undefined {
  if (!argv[0]?.includes('containerd-shim')) return undefined;
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const [address, namespace, id] = [arg('-address'), arg('-namespace'), arg('-id')];
  if (!address || !namespace || !id) return undefined;
  return `/run/containerd/s/${createHash('sha256').update(`${address}/${namespace}/${id}`).digest('hex')}`;
}

async function killAndWait(pids: number[], report: CleanupReport): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
      report.processesKilled.push(pid);
    } catch {}
  }
  const until = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < until) await sleep(20);
}

async function removeSandboxes(cri: CriClient, report: CleanupReport): Promise<string[]> {
  const ids: string[] = [];
  try {
    const { items } = await cri.runtime.listPodSandbox({}, { timeoutMs: 10_000 });
    for (const sb of items as { id: string }[]) {
      ids.push(sb.id);
      try {
        await cri.runtime.stopPodSandbox({ podSandboxId: sb.id }, { timeoutMs: 30_000 });
        await cri.runtime.removePodSandbox({ podSandboxId: sb.id }, { timeoutMs: 30_000 });
        report.sandboxesRemoved++;
      } catch (err) {
        report.errors.push(`sandbox ${sb.id}: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    report.errors.push(`list sandboxes: ${(err as Error).message}`);
  }
  return ids;
}

async function stopContainerd(opts: CleanupOptions, report: CleanupReport): Promise<void> {
  const p = containerdPaths(opts.agentDir);
  const pid = opts.containerdPid ?? Number(readText(join(p.dir, 'containerd.pid')).trim());
  if (!(pid > 0) || !alive(pid) || !readText(`/proc/${pid}/cmdline`).includes(`${opts.agentDir}/`)) return;
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + 5000;
  while (alive(pid) && Date.now() < until) await sleep(20);
  if (alive(pid)) await killAndWait([pid], report);
  rmSync(join(p.dir, 'containerd.pid'), { force: true });
}

async function umount(path: string, report: CleanupReport): Promise<void> {
  try {
    await run('umount', [path]);
    report.unmounted.push(path);
  } catch {
    try {
      await run('umount', ['-l', path]);
      report.unmounted.push(path);
    } catch (err) {
      report.errors.push(`umount ${path}: ${(err as Error).message.trim()}`);
    }
  }
}

export async function cleanupNodeState(opts: CleanupOptions): Promise<CleanupReport> {
  const report: CleanupReport = {
    sandboxesRemoved: 0,
    processesKilled: [],
    unmounted: [],
    cgroupsRemoved: [],
    bridgeDeleted: false,
    errors: [],
  };
  if (!opts.agentDir.startsWith('/') || opts.agentDir === '/') {
    throw new Error(`cleanupNodeState: agentDir must be an absolute path below /, got "${opts.agentDir}"`);
  }
  const sandboxIds = opts.cri ? await removeSandboxes(opts.cri, report) : [];

  if (opts.stopRuntime)
    await opts.stopRuntime().catch((e: Error) => report.errors.push(`stop runtime: ${e.message}`));
  await stopContainerd(opts, report).catch((e: Error) => report.errors.push(`stop containerd: ${e.message}`));
  // Shims (their command line names our socket) and anything else started from our dir.
  const strays = pidsMentioning(`${opts.agentDir}/`);
  const argvs = strays.map((pid) => readText(`/proc/${pid}/cmdline`).split('\0'));
  const shimSockets = argvs.map(shimSocketPath);
  // Without CRI, the shims' ids are the sandboxes whose CNI results must go.
  for (const argv of argvs) {
    const i = argv.indexOf('-id');
    if (argv[0]?.includes('containerd-shim') && i >= 0 && argv[i + 1]) sandboxIds.push(argv[i + 1]!);
  }
  await killAndWait(strays, report);
  // A killed shim leaves its socket in the machine-wide /run/containerd/s.
  for (const sock of shimSockets) if (sock) rmSync(sock, { force: true });

  // Container processes outlive their shims: kill what is left in our cgroups.
  const cgroupDirs =
    opts.cgroupParent && opts.cgroupParent !== '/'
      ? cgroupRoots().flatMap((root) => cgroupDirsDeepestFirst(join(root, opts.cgroupParent)))
      : [];
  const inCgroups = cgroupDirs.flatMap((d) =>
    readText(join(d, 'cgroup.procs'))
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid),
  );
  await killAndWait([...new Set(inCgroups)], report);

  for (const m of mountsUnder(opts.agentDir)) await umount(m, report);

  for (const d of cgroupDirs) {
    try {
      rmdirSync(d);
      report.cgroupsRemoved.push(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') report.errors.push(`rmdir ${d}: ${code}`);
    }
  }

  if (opts.bridge && existsSync(`/sys/class/net/${opts.bridge}`)) {
    try {
      await run('ip', ['link', 'delete', opts.bridge]);
      report.bridgeDeleted = true;
    } catch (err) {
      report.errors.push(`delete bridge ${opts.bridge}: ${(err as Error).message.trim()}`);
    }
  }

  // libcni caches results per attachment in /var/lib/cni/results/<network>-<sandbox id>-<ifname>.
  const results = '/var/lib/cni/results';
  if (sandboxIds.length && existsSync(results)) {
    for (const f of readdirSync(results)) {
      if (sandboxIds.some((id) => f.includes(`-${id}-`))) rmSync(join(results, f), { force: true });
    }
  }

  if (opts.removeDir) {
    const left = mountsUnder(opts.agentDir);
    if (left.length) report.errors.push(`not removing ${opts.agentDir}: still mounted: ${left.join(', ')}`);
    else rmSync(opts.agentDir, { recursive: true, force: true });
  }
  return report;
}

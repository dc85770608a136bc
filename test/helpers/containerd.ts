/**
 * A private containerd "node" for root tests: its own short temp dir (/tmp/sk-XXXXXX), config,
 * CNI conflist (a 10.88.N.0/24 subnet and bridge nobody else uses), supervised containerd and
 * imported pause + busybox images. `cleanup()` removes everything, even after failures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CleanupReport,
  cgroupRoots,
  cleanupNodeState,
  mountsUnder,
  pidsMentioning,
} from '../../src/agent/containerd/cleanup.ts';
import { type ContainerdSupervisor, startContainerd } from '../../src/agent/containerd/supervisor.ts';
import type { CriClient } from '../../src/agent/cri/client.ts';
import { writeCniConfig } from '../../src/network/cni/config.ts';

const repo = join(import.meta.dirname, '..', '..');
export const PAUSE_IMAGE = 'docker.io/skiff/pause:3.10';
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';
export const IMAGE_TARS = [join(repo, 'build/images/pause.tar'), join(repo, 'build/images/busybox.tar')];

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Why root tests cannot run here, or undefined when they can. */
export function rootTestSkipReason(): string | undefined {
  if (!isRoot()) return 'needs root';
  for (const bin of ['containerd', 'runc', 'ip']) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return `${bin} is not installed`;
    }
  }
  if (!existsSync('/usr/lib/cni/bridge')) return 'CNI plugins are not in /usr/lib/cni';
  return undefined;
}

export interface PrivateNode {
  name: string;
  dir: string;
  endpoint: string;
  cri: CriClient;
  supervisor: ContainerdSupervisor;
  podCidr: string;
  bridge: string;
  cgroupParent: string;
  logRoot: string;
  cleanup(): Promise<CleanupReport>;
}

/** A 10.88.N.0/24 that no route on this machine uses yet. */
function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  for (let tries = 0; tries < 200; tries++) {
    const n = 1 + Math.floor(Math.random() * 250);
    if (!routes.includes(`10.88.${n}.`)) return `10.88.${n}.0/24`;
  }
  throw new Error('no free 10.88.N.0/24 subnet');
}

/** Waits for the image tarballs (built by scripts/build-images.sh) and imports them. */
async function importImages(endpoint: string, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  while (!IMAGE_TARS.every(existsSync)) {
    if (Date.now() > until)
      throw new Error(`image tarballs missing: run scripts/build-images.sh (${IMAGE_TARS})`);
    await sleep(1000);
  }
  const { importImageTarball } = await import('../../src/agent/containerd/import.ts');
  for (const tar of IMAGE_TARS) await importImageTarball(endpoint, tar);
}

export async function privateNode(name: string, opts: { imageWaitMs?: number } = {}): Promise<PrivateNode> {
  const dir = mkdtempSync('/tmp/sk-');
  const id = basename(dir).slice(3);
  const bridge = `sk${id}`.slice(0, 15);
  const cgroupParent = `/${basename(dir)}`;
  const podCidr = freeSubnet();
  const logRoot = join(dir, 'logs');
  mkdirSync(logRoot, { recursive: true });
  let supervisor: ContainerdSupervisor | undefined;
  let done: Promise<CleanupReport> | undefined;
  const cleanup = () => {
    done ??= cleanupNodeState({
      agentDir: dir,
      cgroupParent,
      bridge,
      ...(supervisor ? { cri: supervisor.cri, stopRuntime: () => supervisor!.stop() } : {}),
      removeDir: true,
    });
    return done;
  };
  try {
    writeCniConfig({
      confDir: join(dir, 'cni'),
      podCidr,
      bridge,
      ipamDataDir: join(dir, 'cni', 'ipam'),
      clusterCidr: '10.88.0.0/16',
    });
    supervisor = await startContainerd({
      agentDir: dir,
      config: {
        nodeName: name,
        sandboxImage: PAUSE_IMAGE,
        cniConfDir: join(dir, 'cni'),
        registriesDir: join(dir, 'registries'),
      },
    });
    await importImages(supervisor.endpoint, opts.imageWaitMs ?? 10 * 60_000);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    name,
    dir,
    endpoint: supervisor.endpoint,
    cri: supervisor.cri,
    supervisor,
    podCidr,
    bridge,
    cgroupParent,
    logRoot,
    cleanup,
  };
}

/** What a private node may leave behind: [] when the host is clean. */
export function leftovers(node: Pick<PrivateNode, 'dir' | 'bridge' | 'cgroupParent'>): string[] {
  const out: string[] = [];
  for (const m of mountsUnder(node.dir)) out.push(`mount ${m}`);
  if (existsSync(node.dir)) out.push(`dir ${node.dir}`);
  if (existsSync(`/sys/class/net/${node.bridge}`)) out.push(`bridge ${node.bridge}`);
  for (const pid of pidsMentioning(`${node.dir}/`)) out.push(`process ${pid}`);
  for (const root of cgroupRoots()) {
    if (existsSync(join(root, node.cgroupParent))) out.push(`cgroup ${join(root, node.cgroupParent)}`);
  }
  return out;
}

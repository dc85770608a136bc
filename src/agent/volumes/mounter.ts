/**
 * The mounts the volume code makes on the host: tmpfs for memory-backed emptyDirs, secrets and
 * projected volumes. HostMounter runs mount(8)/umount(8); tests of the volume logic use
 * RecordingMounter.
 */
import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Mounter {
  /** Mounts a tmpfs at `target` (an existing directory), limited to `sizeBytes` when given. */
  mountTmpfs(target: string, sizeBytes?: number): Promise<void>;
  unmount(target: string): Promise<void>;
  /** Mount points at or below `dir` (symlinks in `dir` resolved), deepest first. */
  mountPointsUnder(dir: string): Promise<string[]>;
  /** Whether `dir` itself is a mount point. */
  isMountPoint(dir: string): Promise<boolean>;
}

/** Undoes the octal escapes (`\040` for space) mountinfo uses in paths. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** Mount points listed in a /proc/<pid>/mountinfo text. */
export function parseMountInfo(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length > 4) out.push(unescapeMountPath(fields[4]!));
  }
  return out;
}

function under(dir: string, points: string[]): string[] {
  const base = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  const found = points.filter((p) => p === base || p.startsWith(base + '/'));
  return [...new Set(found)].sort((a, b) => b.length - a.length);
}

function failure(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr || e.message || String(err)).trim();
}

export class HostMounter implements Mounter {
  async mountTmpfs(target: string, sizeBytes?: number): Promise<void> {
    const args = ['-t', 'tmpfs'];
    if (sizeBytes !== undefined && sizeBytes > 0) args.push('-o', `size=${sizeBytes}`);
    args.push('tmpfs', target);
    try {
      await run('mount', args);
    } catch (err) {
      throw new Error(`mount tmpfs on ${target}: ${failure(err)}`);
    }
  }

  async unmount(target: string): Promise<void> {
    try {
      await run('umount', [target]);
    } catch (err) {
      throw new Error(`unmount ${target}: ${failure(err)}`);
    }
  }

  async mountPointsUnder(dir: string): Promise<string[]> {
    // mountinfo names canonical paths: a pod dir reached through a symlink must be resolved.
    const real = await realpath(dir).catch(() => dir);
    return under(real, parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8')));
  }

  async isMountPoint(dir: string): Promise<boolean> {
    const real = await realpath(dir).catch(() => dir);
    return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8')).includes(real);
  }
}

/** A Mounter that only records what it was asked to do (for tests that cannot mount). */
export class RecordingMounter implements Mounter {
  readonly mounted = new Map<string, number | undefined>();
  readonly calls: string[] = [];

  async mountTmpfs(target: string, sizeBytes?: number): Promise<void> {
    this.calls.push(`mount ${target}${sizeBytes ? ` size=${sizeBytes}` : ''}`);
    this.mounted.set(target, sizeBytes);
  }
  async unmount(target: string): Promise<void> {
    this.calls.push(`umount ${target}`);
    if (!this.mounted.delete(target)) throw new Error(`unmount ${target}: not mounted`);
  }
  async mountPointsUnder(dir: string): Promise<string[]> {
    return under(dir, [...this.mounted.keys()]);
  }
  async isMountPoint(dir: string): Promise<boolean> {
    return this.mounted.has(dir);
  }
}

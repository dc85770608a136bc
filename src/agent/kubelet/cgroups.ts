/**
 * Removing a pod's cgroup directories: runc removes its containers' cgroups but never the pod's
 * `<parent>/pod<uid>`, in any cgroup v1 hierarchy or the v2 tree. rmdir is the only way to
 * remove a cgroup; it fails while processes remain, which is then logged by the caller.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Mount points of every cgroup (v1) and cgroup2 file system, from /proc/self/mountinfo. */
export function cgroupMounts(mountinfo = '/proc/self/mountinfo'): string[] {
  const out: string[] = [];
  let text: string;
  try {
    text = fs.readFileSync(mountinfo, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fstype = right.split(' ')[0];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const mountPoint = left.split(' ')[4];
    if (mountPoint) out.push(mountPoint.replace(/\\040/g, ' '));
  }
  return out;
}

/** rmdir `dir` and every directory below it, deepest first. Returns the paths it could not remove. */
function rmdirTree(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? [] : [dir];
  }
  const left: string[] = [];
  for (const e of entries) if (e.isDirectory()) left.push(...rmdirTree(path.join(dir, e.name)));
  try {
    fs.rmdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') left.push(dir);
  }
  return left;
}

/** Removes `<mount><podCgroup>` in every cgroup hierarchy; returns what stayed. */
export function removePodCgroups(podCgroup: string, mounts: string[] = cgroupMounts()): string[] {
  const rel = podCgroup.replace(/^\/+/, '');
  if (!rel || rel.split('/').some((p) => p === '..')) return [];
  const left: string[] = [];
  for (const m of mounts) left.push(...rmdirTree(path.join(m, rel)));
  return left;
}

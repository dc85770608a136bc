/**
 * fsGroup ownership of a pod's own volumes (upstream's SetVolumeOwnership): every entry gets
 * the group, files gain group read (and write, unless the volume is read-only), directories
 * gain group search and the setgid bit so new files inherit the group. Symlinks are re-owned,
 * never followed.
 */
import { chmod, lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const rwMask = 0o660;
const roMask = 0o440;
const execMask = 0o110;
const setgid = 0o2000;

/** The mode a file written into a volume ends up with once fsGroup is applied. */
export function fsGroupFileMode(mode: number, readOnly: boolean): number {
  return mode | (readOnly ? roMask : rwMask);
}

export async function applyFsGroup(
  path: string,
  gid: number,
  readOnly: boolean,
  recursive = true,
): Promise<void> {
  const st = await lstat(path);
  await lchown(path, -1, gid);
  if (st.isSymbolicLink()) return;
  const mask = readOnly ? roMask : rwMask;
  if (st.isDirectory()) {
    await chmod(path, (st.mode & 0o7777) | mask | execMask | setgid);
    if (recursive)
      for (const name of await readdir(path)) await applyFsGroup(join(path, name), gid, readOnly);
  } else {
    await chmod(path, (st.mode & 0o7777) | mask);
  }
}

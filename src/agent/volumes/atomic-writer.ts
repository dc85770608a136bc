/**
 * Writes a set of files into a volume directory the way the kubelet's AtomicWriter does, so a
 * reader never sees half an update:
 *
 *   <dir>/..2026_11_23_18_00_00.XXXXXX/   the files of one version
 *   <dir>/..data -> ..2026_11_23_18_00_00.XXXXXX
 *   <dir>/<key>  -> ..data/<key>          one link per top-level path
 *
 * A new version is written beside the old one, `..data` is swapped with one rename, then links
 * are added/removed and the old version is deleted.
 */
import { randomBytes } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits (0o644 unless the volume says otherwise). */
  mode: number;
}

export type Payload = Map<string, FileProjection>;

const dataDirName = '..data';
const newDataDirName = '..data_tmp';

/** Rejects a payload path as upstream's validatePath does. */
export function validatePayloadPath(path: string): string | undefined {
  if (path === '') return 'invalid path: must not be empty';
  if (path.length > 4096) return `invalid path: must be less than or equal to 4096 characters`;
  if (path.startsWith('/')) return 'invalid path: must be relative path';
  const parts = path.split('/');
  if (parts.includes('..')) return "invalid path: must not contain '..'";
  if (parts[0]!.startsWith('..')) return "invalid path: must not start with '..'";
  return undefined;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function timestampName(now: Date): string {
  const ts =
    `${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_` +
    `${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}`;
  return `..${ts}.${randomBytes(5).toString('hex')}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file path (relative, `/`-separated) below `dir`. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

async function currentVersion(dir: string): Promise<string | undefined> {
  try {
    return await readlink(join(dir, dataDirName));
  } catch {
    return undefined;
  }
}

/** Whether the files of the current version differ from the payload. */
async function differs(versionDir: string, payload: Payload): Promise<boolean> {
  let files: string[];
  try {
    files = await listFiles(versionDir);
  } catch {
    return true;
  }
  if (files.length !== payload.size) return true;
  for (const [path, file] of payload) {
    try {
      const full = join(versionDir, path);
      const [content, st] = await Promise.all([readFile(full), stat(full)]);
      if (!content.equals(file.data) || (st.mode & 0o7777) !== file.mode) return true;
    } catch {
      return true;
    }
  }
  return false;
}

const topLevel = (paths: Iterable<string>) => new Set([...paths].map((p) => p.split('/')[0]!));

/**
 * Makes `dir` hold exactly `payload`. Returns true when it wrote a new version, false when the
 * files were already up to date. Throws on an invalid path before touching anything.
 */
export interface WriteOptions {
  /** The time the version directory is named after. */
  now?: Date;
  /** Runs on a new version directory before it becomes visible (ownership, fsGroup). */
  prepare?: (versionDir: string) => Promise<void>;
}

export async function writeAtomically(
  dir: string,
  payload: Payload,
  options: WriteOptions = {},
): Promise<boolean> {
  for (const path of payload.keys()) {
    const problem = validatePayloadPath(path);
    if (problem) throw new Error(`${problem}: ${JSON.stringify(path)}`);
  }
  await mkdir(dir, { recursive: true });
  const oldVersion = await currentVersion(dir);
  const oldFiles = oldVersion ? await listFiles(join(dir, oldVersion)).catch(() => []) : [];
  if (oldVersion && !(await differs(join(dir, oldVersion), payload))) {
    // Repair links a crash may have left out, then report nothing changed.
    await linkUserVisible(dir, payload);
    return false;
  }

  const version = timestampName(options.now ?? new Date());
  const versionDir = join(dir, version);
  await mkdir(versionDir, { mode: 0o755 });
  await chmod(versionDir, 0o755);
  try {
    for (const [path, file] of payload) {
      const full = join(versionDir, path);
      await mkdir(dirname(full), { recursive: true, mode: 0o755 });
      await writeFile(full, file.data, { mode: file.mode });
      await chmod(full, file.mode);
    }
    await options.prepare?.(versionDir);
    const tmpLink = join(dir, newDataDirName);
    await rm(tmpLink, { force: true });
    await symlink(version, tmpLink);
    await rename(tmpLink, join(dir, dataDirName));
  } catch (err) {
    await rm(versionDir, { recursive: true, force: true });
    throw err;
  }

  await linkUserVisible(dir, payload);
  const keep = topLevel(payload.keys());
  for (const name of topLevel(oldFiles)) {
    if (!keep.has(name)) await rm(join(dir, name), { force: true });
  }
  // The old version, and any a crash left half-written, go once the new one is visible.
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') && name !== dataDirName && name !== version) {
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }
  return true;
}

async function linkUserVisible(dir: string, payload: Payload): Promise<void> {
  for (const name of topLevel(payload.keys())) {
    const link = join(dir, name);
    if (!(await exists(link))) await symlink(join(dataDirName, name), link);
  }
}

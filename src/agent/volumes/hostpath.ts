/** hostPath type checks with upstream's messages (pkg/volume/hostpath checkTypeInternal). */
import { constants, type Stats } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** Checks (and for the *OrCreate types creates) `path`; throws with upstream's message. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  if (type === undefined || type === '') return;
  let st = await statOf(path);
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return;
      }
      if (!st.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (!st) {
        // Like upstream, the parent directory is not created.
        const fh = await open(path, constants.O_CREAT | constants.O_RDONLY, 0o644);
        await fh.close();
        st = await statOf(path);
      }
      if (!st?.isFile()) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'File':
      if (!st?.isFile()) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice())
        throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}

/**
 * A reader for tar files on disk that never loads a whole member: `indexTar` walks the headers
 * (ustar, GNU long names, pax path/size records) and records where each member's data lies, so
 * an importer reads manifest.json wherever it is and streams layers straight from the file.
 * Damage (bad checksums, members running past the end, a missing end-of-archive marker) is
 * reported as a TarError naming the offset.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';

const BLOCK = 512;

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  name: string;
  type: TarEntryType;
  size: number;
  /** Byte offset of the member's data in the file. */
  offset: number;
  linkname: string;
}

export class TarError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'TarError';
    this.path = path;
  }
}

/** Member names compared as written by `tar` and `docker save`: no leading ./ or /, no trailing /. */
export function cleanName(name: string): string {
  const n = posix.normalize(`/${name}`).slice(1);
  return n.endsWith('/') ? n.slice(0, -1) : n;
}

function cString(buf: Buffer, start: number, len: number): string {
  const field = buf.subarray(start, start + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

/** An octal numeric field, or GNU base-256 when the high bit of the first byte is set. */
function numeric(buf: Buffer, start: number, len: number): number {
  if ((buf[start]! & 0x80) !== 0) {
    let v = buf[start]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + buf[start + i]!;
    return v;
  }
  const text = cString(buf, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return Number.parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return stored === sum;
}

/** pax extended header records: `<len> <key>=<value>\n`. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number.parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

function entryType(flag: string): TarEntryType {
  if (flag === '0' || flag === '\0' || flag === '' || flag === '7') return 'file';
  if (flag === '5') return 'dir';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Every member of the tar file at `path`, by cleaned name (the last one wins, as with tar -x). */
export async function indexTar(path: string): Promise<Map<string, TarEntry>> {
  const fh = await open(path, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const entries = new Map<string, TarEntry>();
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax = new Map<string, string>();
    for (;;) {
      const header = await readAt(fh, pos, BLOCK);
      if (header.length < BLOCK) {
        throw new TarError(path, `truncated: ends at byte ${fileSize} without an end-of-archive marker`);
      }
      if (header.every((b) => b === 0)) return entries;
      if (!checksumOk(header)) throw new TarError(path, `corrupt: bad header checksum at byte ${pos}`);
      const flag = String.fromCharCode(header[156]!);
      let size = numeric(header, 124, 12);
      if (pax.has('size')) size = Number(pax.get('size'));
      if (!Number.isSafeInteger(size) || size < 0)
        throw new TarError(path, `corrupt: bad member size at byte ${pos}`);
      const dataOffset = pos + BLOCK;
      if (dataOffset + size > fileSize) {
        throw new TarError(
          path,
          `truncated: member at byte ${pos} needs ${size} bytes, the file ends at ${fileSize}`,
        );
      }
      pos = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (flag === 'L' || flag === 'K') {
        const text = cString(await readAt(fh, dataOffset, size), 0, size);
        if (flag === 'L') longName = text;
        else longLink = text;
        continue;
      }
      if (flag === 'x') {
        pax = paxRecords(await readAt(fh, dataOffset, size));
        continue;
      }
      if (flag === 'g') continue;
      const magic = cString(header, 257, 6);
      const prefix = magic.startsWith('ustar') ? cString(header, 345, 155) : '';
      const shortName = cString(header, 0, 100);
      const name = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${shortName}` : shortName);
      const linkname = pax.get('linkpath') ?? longLink ?? cString(header, 157, 100);
      entries.set(cleanName(name), {
        name: cleanName(name),
        type: entryType(flag),
        size,
        offset: dataOffset,
        linkname,
      });
      longName = undefined;
      longLink = undefined;
      pax = new Map();
    }
  } finally {
    await fh.close();
  }
}

/** The regular-file member `name`, following symlinks and hard links inside the archive. */
export function findFile(entries: Map<string, TarEntry>, name: string): TarEntry | undefined {
  let current = cleanName(name);
  for (let hops = 0; hops < 16; hops++) {
    const e = entries.get(current);
    if (!e) return undefined;
    if (e.type === 'file') return e;
    if (e.type === 'hardlink') current = cleanName(e.linkname);
    else if (e.type === 'symlink') {
      current = cleanName(
        e.linkname.startsWith('/') ? e.linkname : posix.join(posix.dirname(current), e.linkname),
      );
    } else return undefined;
  }
  return undefined;
}

/** The whole data of a (small) member. */
export async function readEntry(path: string, entry: TarEntry): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = await readAt(fh, entry.offset, entry.size);
    if (buf.length !== entry.size) throw new TarError(path, `truncated: member ${entry.name} is cut short`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** A member's data in chunks of at most `chunkSize` bytes. */
export async function* entryChunks(
  path: string,
  entry: TarEntry,
  chunkSize = 1 << 20,
): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    for (let done = 0; done < entry.size; ) {
      const buf = await readAt(fh, entry.offset + done, Math.min(chunkSize, entry.size - done));
      if (buf.length === 0) throw new TarError(path, `truncated: member ${entry.name} is cut short`);
      done += buf.length;
      yield buf;
    }
  } finally {
    await fh.close();
  }
}

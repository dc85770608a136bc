import { constants, type FileHandle, open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LogLineJoiner, parseCriLogLine } from './cri-log.ts';
import type { LogOptions } from './log-options.ts';

/** Where the rendered log goes; write resolves once the bytes may be followed by more. */
export interface LogSink {
  write(chunk: Buffer): Promise<void>;
}

export interface FollowHooks {
  /** Whether the container still runs; following ends once it does not and the file is drained. */
  isRunning(): Promise<boolean>;
  readonly signal?: AbortSignal;
  /** How often the file is checked for growth or rotation (ms). */
  readonly pollMs?: number;
  /** How often isRunning is asked (ms). */
  readonly stateCheckMs?: number;
}

const CHUNK = 64 * 1024;
const NL = 0x0a;

/** Byte offset where the last n lines of the file start (a final newline ends the last line). */
export async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let end = size;
  let found = 0;
  let skipLast = true;
  const buf = Buffer.alloc(CHUNK);
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== NL) {
        skipLast = false;
        continue;
      }
      if (skipLast) {
        skipLast = false;
        continue;
      }
      if (++found === n) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

/**
 * Writes a CRI log file to sink as the kubelet serves GET /containerLogs: tailLines, since,
 * timestamps, limitBytes; with follow, keeps reading as the file grows, reopens it when the
 * kubelet rotates it (the path then names a new file), and ends once the container has stopped
 * and everything written is sent. Unparseable lines are skipped, as the kubelet does.
 */
export async function streamCriLog(
  path: string,
  options: LogOptions,
  sink: LogSink,
  hooks: FollowHooks = { isRunning: async () => false },
): Promise<void> {
  const joiner = new LogLineJoiner(options.timestamps);
  let remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
  const emit = async (line: Buffer): Promise<boolean> => {
    const entry = parseCriLogLine(line);
    if (!entry) return true;
    if (options.since && entry.time < options.since) return true;
    let out = joiner.render(entry);
    if (out.length > remaining) out = out.subarray(0, remaining);
    remaining -= out.length;
    if (out.length) await sink.write(out);
    return remaining > 0;
  };

  let fh = await open(path, constants.O_RDONLY);
  try {
    const first = await fh.stat();
    const end = first.size;
    let offset = options.tailLines !== undefined ? await tailOffset(fh, end, options.tailLines) : 0;
    let pending = Buffer.alloc(0);
    const buf = Buffer.alloc(CHUNK);
    let lastStateCheck = 0;
    let running = true;
    for (;;) {
      if (hooks.signal?.aborted) return;
      // Without follow, the log is what the file held when the request came: lines written
      // meanwhile would make --tail=N print more than N.
      const want = options.follow ? CHUNK : Math.min(CHUNK, end - offset);
      const { bytesRead } = want > 0 ? await fh.read(buf, 0, want, offset) : { bytesRead: 0 };
      if (bytesRead > 0) {
        offset += bytesRead;
        let data = Buffer.concat([pending, buf.subarray(0, bytesRead)]);
        let nl = data.indexOf(NL);
        while (nl >= 0) {
          if (!(await emit(data.subarray(0, nl)))) return;
          data = data.subarray(nl + 1);
          nl = data.indexOf(NL);
        }
        pending = Buffer.from(data);
        continue;
      }
      // End of what is written so far.
      if (!options.follow) {
        if (pending.length) await emit(pending);
        return;
      }
      if (!running) {
        if (pending.length) await emit(pending);
        return;
      }
      const rotated = await replacedAt(path, fh);
      if (rotated) {
        // Everything of the old file is read: carry on with the new one from its start.
        await fh.close();
        fh = rotated;
        offset = 0;
        continue;
      }
      const now = Date.now();
      if (now - lastStateCheck >= (hooks.stateCheckMs ?? 1000)) {
        lastStateCheck = now;
        // Read once more after the container stopped: it may have written its last lines.
        if (!(await hooks.isRunning())) running = false;
        continue;
      }
      try {
        await sleep(hooks.pollMs ?? 100, undefined, hooks.signal ? { signal: hooks.signal } : {});
      } catch {
        return;
      }
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** The file now at path when it is not the one open as fh (rotation), else undefined. */
async function replacedAt(path: string, fh: FileHandle): Promise<FileHandle | undefined> {
  const [open_, now] = await Promise.all([fh.stat(), stat(path).catch(() => undefined)]);
  if (!now || (now.ino === open_.ino && now.dev === open_.dev)) return undefined;
  return open(path, constants.O_RDONLY).catch(() => undefined);
}

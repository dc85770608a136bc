/**
 * Airgap images: every tarball in `<data-dir>/agent/images/` (`*.tar`, `*.tar.gz`, `*.tgz`,
 * `*.tar.zst`) is imported into containerd at start and whenever one is added or replaced, as
 * k3s does with its agent/images directory; the install's pause tarball is always imported
 * first. A file is imported once per (path, size, mtime): a rescan skips what was done, and a
 * broken tarball is reported once and tried again only when it changes. A file still being
 * copied in is left until its size and mtime have stayed put for `settleMs`.
 */
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportResult } from '../containerd/import.ts';
import { importImageTarball } from '../containerd/import.ts';

export const AIRGAP_SUFFIXES = ['.tar', '.tar.gz', '.tgz', '.tar.zst'];

export type Importer = (path: string) => Promise<ImportResult>;

export interface AirgapLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface AirgapOptions {
  /** containerd socket (used by the default importer). */
  endpoint: string;
  /** `<data-dir>/agent/images`; created when missing. */
  imagesDir: string;
  /** The install's build/images/pause.tar, imported before anything else. */
  pauseTarball?: string;
  namespace?: string;
  /** How long a file must stay unchanged before it is imported; default 1000 ms. */
  settleMs?: number;
  /** Periodic rescan besides fs.watch; default 10 s, 0 = none. */
  rescanMs?: number;
  importer?: Importer;
  logger?: AirgapLogger;
}

export interface AirgapRecord {
  path: string;
  size: number;
  mtimeMs: number;
  ok: boolean;
  /** The images the file holds, when ok. */
  images: string[];
  error?: string;
}

const silent: AirgapLogger = { info() {}, error() {} };

export function isAirgapTarball(name: string): boolean {
  return !name.startsWith('.') && AIRGAP_SUFFIXES.some((s) => name.endsWith(s));
}

export class AirgapImporter {
  private readonly opts: AirgapOptions;
  private readonly importer: Importer;
  private readonly logger: AirgapLogger;
  private readonly done = new Map<string, AirgapRecord>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private rescanWanted = false;
  private stopped = false;

  constructor(opts: AirgapOptions) {
    this.opts = opts;
    this.logger = opts.logger ?? silent;
    this.importer =
      opts.importer ??
      ((path) => importImageTarball(opts.endpoint, path, { namespace: opts.namespace ?? 'k8s.io' }));
  }

  /** What was imported (or failed), by path. */
  records(): AirgapRecord[] {
    return [...this.done.values()];
  }

  /** Imports the pause tarball and the directory once, then watches it. Never throws for a bad file. */
  async start(): Promise<AirgapRecord[]> {
    await mkdir(this.opts.imagesDir, { recursive: true });
    const pause = this.opts.pauseTarball;
    if (pause && (await this.importFile(pause, 0)) === 'skipped' && !this.done.has(pause)) {
      const error = `pause image tarball ${pause} is missing (run scripts/build-images.sh)`;
      this.logger.error('airgap images: import failed', { path: pause, err: error });
      this.done.set(pause, { path: pause, size: 0, mtimeMs: 0, ok: false, images: [], error });
    }
    await this.scan(this.opts.settleMs ?? 1000);
    try {
      this.watcher = watch(this.opts.imagesDir, () => this.scheduleScan());
      this.watcher.on('error', (err) =>
        this.logger.error('airgap images: watch failed', { err: err.message }),
      );
    } catch (err) {
      this.logger.error('airgap images: cannot watch, relying on rescans', { err: (err as Error).message });
    }
    const every = this.opts.rescanMs ?? 10_000;
    if (every > 0) {
      this.timer = setInterval(() => this.scheduleScan(), every);
      this.timer.unref();
    }
    return this.records();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.debounce);
  }

  /** Resolves once no scan is running or pending (tests). */
  async idle(): Promise<void> {
    for (;;) {
      const current = this.running;
      await current;
      if (current === this.running && !this.debounce) return;
      if (this.debounce) await new Promise((r) => setTimeout(r, 20));
    }
  }

  private scheduleScan(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.rescanWanted = true;
      this.running = this.running.then(async () => {
        if (!this.rescanWanted || this.stopped) return;
        this.rescanWanted = false;
        await this.scan(this.opts.settleMs ?? 1000);
      });
    }, 100);
  }

  /** One pass over the directory: imports every new or changed tarball, one at a time. */
  async scan(settleMs: number): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.opts.imagesDir)).filter(isAirgapTarball).sort();
    } catch (err) {
      this.logger.error('airgap images: cannot read directory', {
        dir: this.opts.imagesDir,
        err: (err as Error).message,
      });
      return;
    }
    let unsettled = false;
    for (const name of names) {
      if (this.stopped) return;
      if ((await this.importFile(join(this.opts.imagesDir, name), settleMs)) === 'unsettled')
        unsettled = true;
    }
    if (unsettled) this.scheduleScanLater(settleMs);
  }

  private scheduleScanLater(ms: number): void {
    const t = setTimeout(() => this.scheduleScan(), ms);
    t.unref();
  }

  private async importFile(path: string, settleMs: number): Promise<'done' | 'skipped' | 'unsettled'> {
    let st: { size: number; mtimeMs: number; isFile(): boolean };
    try {
      st = await stat(path);
    } catch {
      return 'skipped';
    }
    if (!st.isFile()) return 'skipped';
    const prev = this.done.get(path);
    if (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs) return 'skipped';
    if (settleMs > 0 && Date.now() - st.mtimeMs < settleMs) return 'unsettled';
    const record: AirgapRecord = { path, size: st.size, mtimeMs: st.mtimeMs, ok: false, images: [] };
    const started = Date.now();
    try {
      const result = await this.importer(path);
      record.ok = true;
      record.images = result.images.map((i) => i.name);
      this.logger.info('airgap images: imported', {
        path,
        images: record.images,
        blobsWritten: result.blobsWritten,
        ms: Date.now() - started,
      });
    } catch (err) {
      record.error = (err as Error).message;
      this.logger.error('airgap images: import failed', { path, err: record.error });
    }
    this.done.set(path, record);
    return 'done';
  }
}

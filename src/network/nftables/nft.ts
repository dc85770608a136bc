/**
 * Runs the `nft` binary: `apply` gives one JSON document to `nft -j -f <file>`, which the kernel
 * commits as one transaction (all or nothing); `listTable` / `listChain` read back with
 * `nft -j list`. (`-f -` opens /dev/stdin, which fails with ENXIO on the socketpair Node uses
 * for a child's stdin, so the document goes through a private temporary file instead.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command, Family, NftDocument } from './types.ts';

export interface NftOptions {
  /** The nft binary; default `nft` from PATH. */
  nftPath?: string;
  /** Run inside this network namespace (`ip netns exec <name> nft …`), for tests and benches. */
  netns?: string;
  timeoutMs?: number;
}

export class NftError extends Error {
  readonly stderr: string;
  readonly exitCode: number | null;
  constructor(message: string, stderr: string, exitCode: number | null) {
    super(message);
    this.name = 'NftError';
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin: string | null, opts: NftOptions): Promise<RunResult> {
  const nft = opts.nftPath ?? 'nft';
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, nft, ...args]] : [nft, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new NftError(`cannot run ${cmd}: ${e.message}`, '', null));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? '');
  });
}

/** Applies the commands in one nft transaction; throws NftError with nft's stderr on failure. */
export async function apply(commands: Command[], opts: NftOptions = {}): Promise<void> {
  if (commands.length === 0) return;
  const doc: NftDocument = { nftables: commands };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'skiff-nft-'));
  const file = path.join(dir, 'ruleset.json');
  let r: RunResult;
  try {
    await fs.writeFile(file, JSON.stringify(doc), { mode: 0o600 });
    r = await run(['-j', '-f', file], null, opts);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  if (r.code !== 0) {
    const stderr = r.stderr.trim();
    throw new NftError(`nft transaction failed (exit ${r.code}): ${firstLines(stderr, 6)}`, stderr, r.code);
  }
}

const firstLines = (s: string, n: number) => s.split('\n').slice(0, n).join('\n');

/** The `nftables` array of `nft -j list …`, or null when the object does not exist. */
async function list(args: string[], opts: NftOptions): Promise<Record<string, unknown>[] | null> {
  const r = await run(['-j', 'list', ...args], null, opts);
  if (r.code !== 0) {
    if (/No such file or directory/.test(r.stderr)) return null;
    throw new NftError(`nft list ${args.join(' ')} failed: ${r.stderr.trim()}`, r.stderr, r.code);
  }
  const doc = JSON.parse(r.stdout) as { nftables?: Record<string, unknown>[] };
  return doc.nftables ?? [];
}

/** Everything in one table as nft lists it (metainfo dropped), or null if there is no such table. */
export async function listTable(
  family: Family,
  name: string,
  opts: NftOptions = {},
): Promise<Record<string, unknown>[] | null> {
  const items = await list(['table', family, name], opts);
  return items ? items.filter((i) => !('metainfo' in i)) : null;
}

/** One chain and its rules, or null if the table or chain is missing. */
export async function listChain(
  family: Family,
  table: string,
  chain: string,
  opts: NftOptions = {},
): Promise<Record<string, unknown>[] | null> {
  const items = await list(['chain', family, table, chain], opts);
  return items ? items.filter((i) => !('metainfo' in i)) : null;
}

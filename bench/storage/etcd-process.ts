/**
 * A throwaway single-member etcd for the storage benchmark: loopback only, a temp data dir,
 * default fsync behaviour (every acknowledged write is durable), stopped and removed after.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EtcdTarget } from './etcd.ts';

const ETCD_BINARY = '/usr/bin/etcd';
const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

function freePorts(count: number): Promise<number[]> {
  // Hold every listener open until all ports are known, so the ports are distinct.
  const servers: net.Server[] = [];
  const listening = Array.from(
    { length: count },
    () =>
      new Promise<number>((resolve, reject) => {
        const server = net.createServer();
        servers.push(server);
        server.once('error', reject);
        server.listen(0, HOST, () => {
          const address = server.address();
          if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
          else resolve(address.port);
        });
      }),
  );
  const closeAll = async (): Promise<void> => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };
  return Promise.all(listening).then(
    async (ports) => {
      await closeAll();
      return ports;
    },
    async (error: unknown) => {
      await closeAll();
      throw error;
    },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps the last `limit` bytes written to a stream, for error messages. */
function tail(stream: NodeJS.ReadableStream | null, limit: number): () => string {
  let buffered = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    buffered = (buffered + chunk).slice(-limit);
  });
  return () => buffered;
}

export async function startEtcd(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bench-etcd-'));
  const removeDataDir = (): void => fs.rmSync(dataDir, { recursive: true, force: true });

  let child: ChildProcess;
  let clientPort: number;
  try {
    const ports = await freePorts(2);
    clientPort = ports[0]!;
    const peerPort = ports[1]!;
    const clientUrl = `http://${HOST}:${clientPort}`;
    const peerUrl = `http://${HOST}:${peerPort}`;
    // Keep any ETCD_* configuration in our environment from leaking into the benchmark server.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCD')));
    child = spawn(
      ETCD_BINARY,
      [
        '--name',
        'default',
        '--data-dir',
        dataDir,
        '--listen-client-urls',
        clientUrl,
        '--advertise-client-urls',
        clientUrl,
        '--listen-peer-urls',
        peerUrl,
        '--initial-advertise-peer-urls',
        peerUrl,
        '--initial-cluster',
        `default=${peerUrl}`,
        '--quota-backend-bytes',
        String(8 * 1024 * 1024 * 1024),
      ],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    removeDataDir();
    throw error;
  }

  const logTail = tail(child.stderr, 16 * 1024);
  let exited = child.exitCode !== null || child.signalCode !== null;
  const exitPromise = new Promise<void>((resolve) => {
    if (exited) resolve();
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      // spawn failed (e.g. missing binary): there will be no 'exit' for a process that never ran.
      if (child.pid === undefined) {
        exited = true;
        resolve();
      }
    });
  });

  const killOnExit = (): void => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      removeDataDir();
    } catch {
      // best effort while the process is exiting
    }
  };
  process.on('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const pid = child.pid;
      if (!exited && pid !== undefined) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const escalate = setTimeout(() => {
          if (!exited) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        }, STOP_GRACE_MS);
        await exitPromise;
        clearTimeout(escalate);
      }
      process.off('exit', killOnExit);
      removeDataDir();
    })();
    return stopped;
  };

  const endpoint = `http://${HOST}:${clientPort}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastError: unknown;
  while (true) {
    if (exited) {
      await stop();
      throw new Error(
        `etcd exited during startup (code ${child.exitCode}, signal ${child.signalCode}):\n${logTail()}`,
      );
    }
    const probe = await EtcdTarget.connect(endpoint);
    try {
      await probe.get('/skiff-bench/probe');
      return { endpoint, stop };
    } catch (error) {
      lastError = error;
    } finally {
      await probe.close();
    }
    if (Date.now() >= deadline) {
      await stop();
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(
        `etcd did not answer within ${STARTUP_TIMEOUT_MS / 1000} s (${reason}); log tail:\n${logTail()}`,
      );
    }
    await sleep(100);
  }
}

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupAgent } from '../../src/agent/cleanup.ts';
import { compileAgentConfig } from '../../src/agent/config.ts';

const skiff = path.join(import.meta.dirname, '..', '..', 'bin', 'run.js');
const busyboxTarball = path.join(import.meta.dirname, '..', '..', 'build', 'images', 'busybox.tar');

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestServer {
  readonly dir: string;
  readonly port: number;
  readonly kubeconfig: string;
  /** Runs the machine's kubectl against this server, with a private discovery cache. */
  kubectl(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Like kubectl, but fails the test with kubectl's stderr unless it exits 0. */
  ok(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<string>;
  /** Stops the server (SIGTERM) and keeps the data dir, for a restart. */
  stop(): Promise<void>;
  /** Starts the server again on the same data dir and port. */
  restart(): Promise<void>;
  /** Stops the server and removes everything it made. */
  cleanup(): Promise<void>;
}

async function startProcess(
  dir: string,
  port: number,
  extra: string[],
  withAgent = false,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      skiff,
      'server',
      ...(withAgent ? [] : ['--disable-agent']),
      '--data-dir',
      dir,
      '--https-listen-port',
      String(port),
      '--bind-address',
      '127.0.0.1',
      '--write-kubeconfig',
      path.join(dir, 'kubeconfig.yaml'),
      ...extra,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Agents of tests running side by side share the host's network namespace.
      env: withAgent ? { ...process.env, SKIFF_PROXY_TABLE: `skiff-${path.basename(dir)}` } : process.env,
    },
  );
  let log = '';
  child.stderr!.setEncoding('utf8');
  const ready = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a server behind: a live child keeps the test process from exiting.
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 60 s:\n${log}`));
    }, 60_000);
    child.stderr!.on('data', (d: string) => {
      log += d;
      const m = /"port":(\d+).*"msg":"API server ready"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  if (process.env.SKIFF_TEST_LOG) child.stderr!.on('data', (d: string) => process.stderr.write(d));
  return { child, port: ready };
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface ServerOptions {
  /**
   * Run the embedded node agent (root only): a private containerd, a node named after the
   * data dir, its own pod and service networks (`slot` picks them, 10.<100+slot>.0.0/16 and
   * 10.<200+slot>.0.0/16, so tests running side by side do not share bridges or addresses).
   */
  agent?: { slot: number };
}

/** The agent flags of a test server in `slot`; the node is named after the data dir. */
export function agentArgs(dir: string, slot: number): string[] {
  return [
    '--node-name',
    path.basename(dir).toLowerCase(),
    '--node-ip',
    '127.0.0.1',
    '--kubelet-port',
    '0',
    '--cluster-cidr',
    `10.${100 + slot}.0.0/16`,
    '--service-cidr',
    `10.${200 + slot}.0.0/16`,
    '--cluster-dns',
    `10.${200 + slot}.0.10`,
    '--private-registry',
    path.join(dir, 'registries.yaml'),
  ];
}

/**
 * Starts `skiff server` on a free port with a private data dir: control plane only
 * (--disable-agent) unless `options.agent` asks for the embedded node agent.
 */
export async function startServer(extra: string[] = [], options: ServerOptions = {}): Promise<TestServer> {
  // The agent's containerd socket lives under the data dir: keep the path short (108 bytes).
  const dir = fs.mkdtempSync(options.agent ? '/tmp/sk-' : path.join(os.tmpdir(), 'skiff-api-'));
  if (options.agent) {
    extra = [...agentArgs(dir, options.agent.slot), ...extra];
    // The test image, as an airgap tarball: nothing is pulled from outside the machine.
    fs.mkdirSync(path.join(dir, 'agent', 'images'), { recursive: true });
    fs.copyFileSync(busyboxTarball, path.join(dir, 'agent', 'images', 'busybox.tar'));
  }
  const withAgent = options.agent !== undefined;
  let { child, port } = await startProcess(dir, 0, extra, withAgent);
  const kubeconfig = path.join(dir, 'kubeconfig.yaml');
  const cacheDir = path.join(dir, 'kube-cache');
  const kubectl: TestServer['kubectl'] = (args, options = {}) =>
    new Promise((resolve) => {
      const p = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
        { env: { ...process.env, ...options.env }, maxBuffer: 64 << 20, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) p.stdin!.end(options.input);
      else p.stdin!.end();
    });
  return {
    dir,
    port,
    kubeconfig,
    kubectl,
    async ok(args, options) {
      const r = await kubectl(args, options);
      if (r.code !== 0)
        throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    async stop() {
      await stopProcess(child);
    },
    async restart() {
      await stopProcess(child);
      ({ child, port } = await startProcess(dir, port, extra, withAgent));
    },
    async cleanup() {
      await stopProcess(child);
      if (options.agent) {
        const clusterDns = `10.${200 + options.agent.slot}.0.10`;
        process.env.SKIFF_PROXY_TABLE = `skiff-${path.basename(dir)}`;
        await cleanupAgent(compileAgentConfig({ dataDir: dir, nodeName: path.basename(dir), clusterDns }));
        delete process.env.SKIFF_PROXY_TABLE;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

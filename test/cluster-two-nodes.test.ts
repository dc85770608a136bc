/**
 * Two nodes on one machine (root): `skiff server` with its embedded agent in the host namespace
 * (node IP on a veth), and a second node, `skiff agent` joined by token, in a network namespace
 * behind that veth. Both turn Ready, host-gw routes carry pod-to-pod traffic both ways without
 * NAT, and a pod on node 2 reaches a Service backed on node 1 by name. Everything is removed
 * after: processes, both agents' state, the namespace and veths, the routes.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { cleanupAgent } from '../src/agent/cleanup.ts';
import { compileAgentConfig } from '../src/agent/config.ts';
import { eventually } from './helpers/eventually.ts';
import { createNetns, type Netns } from './helpers/netns.ts';
import { agentArgs } from './helpers/server.ts';

const run = promisify(execFile);
const root = process.getuid?.() === 0;
const SLOT = 5;
const skiff = path.join(import.meta.dirname, '..', 'bin', 'run.js');
const busybox = path.join(import.meta.dirname, '..', 'build', 'images', 'busybox.tar');
const clusterDns = `10.${200 + SLOT}.0.10`;

let ns: Netns | undefined;
let dir1 = '';
let dir2 = '';
let node1 = '';
let node2 = '';
let server: ChildProcess | undefined;
let agent: ChildProcess | undefined;
let kubeconfig = '';
const logs = { server: '', agent: '' };

function withImage(dir: string): void {
  fs.mkdirSync(path.join(dir, 'agent', 'images'), { recursive: true });
  fs.copyFileSync(busybox, path.join(dir, 'agent', 'images', 'busybox.tar'));
}

function nodeArgs(dir: string, nodeIp: string): string[] {
  const args = agentArgs(dir, SLOT);
  args[args.indexOf('--node-ip') + 1] = nodeIp;
  return args;
}

function withoutNetworkFlags(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (['--cluster-cidr', '--service-cidr', '--cluster-dns'].includes(args[i]!)) i++;
    else out.push(args[i]!);
  }
  return out;
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], {
    timeout: 60_000,
    maxBuffer: 16 << 20,
  });
  return stdout;
}

/** eventually(), with both processes' log tails in the failure. */
function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  return eventually(what, fn, ms, 1000).catch((e: Error) => {
    throw new Error(
      `${e.message}\n--- server log tail:\n${logs.server.slice(-3000)}\n--- agent log tail:\n${logs.agent.slice(-3000)}`,
    );
  });
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

before(async () => {
  if (!root) return;
  ns = await createNetns(`h9${process.pid % 10000}`, '172.31.205');
  dir1 = fs.mkdtempSync('/tmp/sk-');
  dir2 = fs.mkdtempSync('/tmp/sk-');
  node1 = path.basename(dir1).toLowerCase();
  node2 = path.basename(dir2).toLowerCase();
  withImage(dir1);
  withImage(dir2);
  kubeconfig = path.join(dir1, 'kubeconfig.yaml');
  server = spawn(
    process.execPath,
    [
      skiff,
      'server',
      '--data-dir',
      dir1,
      '--https-listen-port',
      '0',
      // Reachable from the namespace (over the veth) and from the embedded agent (loopback).
      '--bind-address',
      '0.0.0.0',
      '--tls-san',
      ns.hostIp,
      '--write-kubeconfig',
      kubeconfig,
      ...nodeArgs(dir1, ns.hostIp),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SKIFF_PROXY_TABLE: `skiff-${node1}` } },
  );
  server.stderr!.setEncoding('utf8');
  server.stderr!.on('data', (d: string) => {
    logs.server += d;
  });
  const port = await waitFor(
    'the API server',
    async () => {
      const m = /"port":(\d+).*"msg":"API server ready"/.exec(logs.server);
      if (server!.exitCode !== null) throw new Error(`server exited: ${logs.server}`);
      return m ? Number(m[1]) : undefined;
    },
    60_000,
  );
  const token = fs.readFileSync(path.join(dir1, 'server', 'token'), 'utf8').trim();
  agent = spawn(
    'nsenter',
    [
      // Not `ip netns exec`: it remounts /sys, hiding /sys/fs/cgroup from runc.
      `--net=/var/run/netns/${ns.name}`,
      process.execPath,
      skiff,
      'agent',
      '--server',
      `https://${ns.hostIp}:${port}`,
      '--token',
      token,
      '--data-dir',
      dir2,
      // No network flags: the joining agent learns the server's (slot) networks from it.
      ...withoutNetworkFlags(nodeArgs(dir2, ns.nsIp)),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SKIFF_PROXY_TABLE: `skiff-${node2}` } },
  );
  agent.stderr!.setEncoding('utf8');
  agent.stderr!.on('data', (d: string) => {
    logs.agent += d;
  });
});

after(async () => {
  if (!root) return;
  await stopProcess(agent);
  await stopProcess(server);
  if (ns) {
    // Node 2's pods, containerd, mounts, cgroups, bridge, DNS address and routes, from inside.
    await run(
      'nsenter',
      [
        `--net=/var/run/netns/${ns.name}`,
        process.execPath,
        skiff,
        'agent',
        '--cleanup',
        '--data-dir',
        dir2,
        '--node-name',
        node2,
        '--cluster-dns',
        clusterDns,
      ],
      { env: { ...process.env, SKIFF_PROXY_TABLE: `skiff-${node2}` }, timeout: 120_000 },
    ).catch((e) => console.error('node 2 clean-up:', e.stderr ?? e.message));
  }
  if (dir1) {
    process.env.SKIFF_PROXY_TABLE = `skiff-${node1}`;
    await cleanupAgent(compileAgentConfig({ dataDir: dir1, nodeName: node1, clusterDns }));
    delete process.env.SKIFF_PROXY_TABLE;
  }
  if (ns) {
    // Node 1's host-gw routes all go through node 2's address.
    const { stdout } = await run('ip', ['-j', 'route', 'show', 'proto', '77', 'via', ns.nsIp]).catch(() => ({
      stdout: '[]',
    }));
    for (const r of JSON.parse(stdout.trim() || '[]') as { dst: string }[])
      await run('ip', ['route', 'del', r.dst, 'proto', '77']).catch(() => {});
    await ns.remove();
  }
  for (const d of [dir1, dir2]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

const podYaml = (name: string, node: string, labels = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}${labels ? `, labels: {${labels}}` : ''}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'echo hello from ${name} > /tmp/index.html; exec httpd -f -v -p 8080 -h /tmp']
    ports: [{containerPort: 8080, name: http}]
`;

async function apply(text: string): Promise<void> {
  const file = path.join(dir1, `m-${Date.now()}.yaml`);
  fs.writeFileSync(file, text);
  await kubectl('apply', '-f', file);
}

async function podIp(name: string): Promise<string> {
  return waitFor(`pod ${name} running`, async () => {
    const p = JSON.parse(await kubectl('get', 'pod', name, '-o', 'json'));
    return p.status?.phase === 'Running' && p.status.podIP ? (p.status.podIP as string) : undefined;
  });
}

async function fetchFrom(pod: string, target: string): Promise<string> {
  return kubectl(
    'exec',
    pod,
    '--',
    'sh',
    '-c',
    `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${target}`,
  );
}

test("both nodes register and turn Ready; each has a route to the other one's podCIDR", {
  skip: !root,
}, async () => {
  for (const n of [node1, node2]) {
    await waitFor(
      `node ${n}`,
      async () => (await kubectl('get', 'node', n, '-o', 'name')).trim() || undefined,
    );
    await kubectl('wait', '--for=condition=Ready', `node/${n}`, '--timeout=120s');
  }
  const cidr = async (n: string) =>
    (await kubectl('get', 'node', n, '-o', 'jsonpath={.spec.podCIDR}')).trim();
  const [c1, c2] = [await cidr(node1), await cidr(node2)];
  assert.notEqual(c1, c2);
  await waitFor('host-gw routes', async () => {
    const host = (await run('ip', ['route', 'show', c2, 'proto', '77'])).stdout;
    const inNs = (await run('ip', ['-n', ns!.name, 'route', 'show', c1, 'proto', '77'])).stdout;
    return host.includes(`via ${ns!.nsIp}`) && inNs.includes(`via ${ns!.hostIp}`) ? true : undefined;
  });
});

test('pods on the two nodes reach each other by pod IP both ways, unNATed', { skip: !root }, async () => {
  await apply(podYaml('p1', node1, 'app: web') + '---' + podYaml('p2', node2));
  const [ip1, ip2] = [await podIp('p1'), await podIp('p2')];
  const from2 = await waitFor('p2 → p1', async () => {
    const out = await fetchFrom('p2', `${ip1} 8080`);
    return out.includes('hello from p1') ? out : undefined;
  });
  assert.match(from2, /hello from p1/);
  const from1 = await waitFor('p1 → p2', async () => {
    const out = await fetchFrom('p1', `${ip2} 8080`);
    return out.includes('hello from p2') ? out : undefined;
  });
  assert.match(from1, /hello from p2/);
  // No NAT between pods: p1's httpd logs p2's own pod IP as the client.
  await waitFor(
    "p2 in p1's access log",
    async () => ((await kubectl('logs', 'p1')).includes(ip2) ? true : undefined),
    20_000,
  );
});

test('a pod on node 2 reaches a Service backed on node 1 by name', { skip: !root }, async () => {
  await apply(`
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`);
  const out = await waitFor('p2 → web.default.svc', async () => {
    const o = await fetchFrom('p2', 'web.default.svc.cluster.local 80');
    return o.includes('hello from p1') ? o : undefined;
  });
  assert.match(out, /hello from p1/);
});

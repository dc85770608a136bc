/**
 * NetworkPolicy enforcement against real nftables, inside network namespaces this test creates
 * (root only; skipped otherwise). The host's own ruleset is never touched.
 *
 *   remote (192.168.60.2, a pod on "another node") ── veth ── node (192.168.60.1, br0 10.44.0.1/24)
 *     a 10.44.0.11 ns app  {app: web}      httpd :8080 (named http) and :9090 (named alt)
 *     b 10.44.0.12 ns app  {app: client}   httpd :8080 :9090
 *     c 10.44.0.13 ns other{app: client}   httpd :8080 :9090     (namespace other: {team: blue})
 *   The node answers "dns" on 10.44.0.1:53 (tcp) — the input hook, as the cluster DNS on lo.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { V1Namespace, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { apply, listTable, NftError } from '../src/network/nftables/index.ts';
import { type PolicyState, PolicySyncer, removePolicyTables } from '../src/network/policy/index.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const run = promisify(execFile);
const canRun =
  process.getuid?.() === 0 &&
  ['/usr/sbin/nft', '/usr/bin/busybox', '/usr/sbin/ip'].every((f) => fs.existsSync(f));
const tag = `sknp${process.pid}`;
const ns = { node: `${tag}-node`, remote: `${tag}-rem`, a: `${tag}-a`, b: `${tag}-b`, c: `${tag}-c` };
const table = `skiff-policy-test-${process.pid}`;
const nft = { netns: ns.node };
const ip = {
  node: '192.168.60.1',
  remote: '192.168.60.2',
  gw: '10.44.0.1',
  a: '10.44.0.11',
  b: '10.44.0.12',
  c: '10.44.0.13',
};

const ipIn = (netns: string, ...args: string[]) => run('ip', ['-n', netns, ...args]);
const inNs = (netns: string, cmd: string, ...args: string[]) =>
  run('ip', ['netns', 'exec', netns, cmd, ...args]);

/** Whether an HTTP GET from a namespace gets the named server's answer (2 s timeout). */
function reach(from: string, to: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = execFile(
      'ip',
      ['netns', 'exec', from, 'busybox', 'nc', '-w', '2', to, String(port)],
      { timeout: 6000 },
      (_err, stdout) => resolve(/^(a|b|c|remote|dns)$/m.test(stdout)),
    );
    child.stdin?.end('GET / HTTP/1.0\r\n\r\n');
  });
}

/** Checks many paths at once: `from>to:port` → expected reachability. */
async function expectReach(want: Record<string, boolean>): Promise<void> {
  const names = Object.keys(want);
  const got = await Promise.all(
    names.map((k) => {
      const [from, dest] = k.split('>') as [keyof typeof ns, string];
      const [to, port] = dest.split(':') as [keyof typeof ip, string];
      return reach(ns[from], ip[to], Number(port));
    }),
  );
  const actual = Object.fromEntries(names.map((k, i) => [k, got[i]]));
  assert.deepEqual(actual, want);
}

const pod = (name: 'a' | 'b' | 'c', namespace: string, labels: Record<string, string>): V1Pod => ({
  metadata: { name, namespace, labels },
  spec: {
    nodeName: 'node',
    containers: [
      {
        name: 'web',
        image: 'busybox',
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'alt', containerPort: 9090 },
        ],
      },
    ],
  },
  status: { phase: 'Running', podIP: ip[name], podIPs: [{ ip: ip[name] }] },
});
const remotePod: V1Pod = {
  metadata: { name: 'remote', namespace: 'other', labels: { app: 'remote' } },
  spec: {
    nodeName: 'node2',
    containers: [{ name: 'web', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }],
  },
  status: { phase: 'Running', podIPs: [{ ip: ip.remote }] },
};
const namespaces: V1Namespace[] = [
  { metadata: { name: 'app', labels: { 'kubernetes.io/metadata.name': 'app' } } },
  { metadata: { name: 'other', labels: { 'kubernetes.io/metadata.name': 'other', team: 'blue' } } },
];
const pods = [
  pod('a', 'app', { app: 'web' }),
  pod('b', 'app', { app: 'client' }),
  pod('c', 'other', { app: 'client' }),
  remotePod,
];
const np = (name: string, spec: V1NetworkPolicy['spec']): V1NetworkPolicy => ({
  metadata: { name, namespace: 'app' },
  spec,
});
const web = { matchLabels: { app: 'web' } };

describe('NetworkPolicy on nftables', { skip: canRun ? false : 'needs root, ip, nft and busybox' }, () => {
  const servers: ChildProcess[] = [];
  let dir = '';
  let failNext = false;
  const syncer = new PolicySyncer({
    nodeName: 'node',
    nodeIps: [ip.node],
    table,
    families: ['ip'],
    nft,
    checkIntervalMs: 0,
    minSyncIntervalMs: 0,
    retryMs: 100,
    runner: {
      apply: (commands, opts) =>
        apply(
          failNext
            ? [
                ...commands,
                {
                  add: {
                    rule: { family: 'ip', table, chain: 'forward', expr: [{ jump: { target: 'nowhere' } }] },
                  },
                },
              ]
            : commands,
          opts,
        ),
      listChain: async (family, t, chain, opts) =>
        (await import('../src/network/nftables/index.ts')).listChain(family, t, chain, opts),
    },
  });
  const enforce = async (policies: V1NetworkPolicy[]) => {
    const state: PolicyState = { policies, pods, namespaces };
    syncer.update(state);
    await syncer.sync();
    assert.equal(syncer.status.lastError, undefined);
  };

  function serve(netns: string, name: string, listen: string[]): void {
    const www = path.join(dir, name);
    fs.mkdirSync(www, { recursive: true });
    fs.writeFileSync(path.join(www, 'index.html'), `${name}\n`);
    for (const p of listen)
      servers.push(
        spawn('ip', ['netns', 'exec', netns, 'busybox', 'httpd', '-f', '-p', p, '-h', www], {
          stdio: 'ignore',
        }),
      );
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-netpol-test-'));
    for (const n of Object.values(ns)) await run('ip', ['netns', 'add', n]);
    for (const n of Object.values(ns)) await ipIn(n, 'link', 'set', 'lo', 'up');
    await inNs(ns.node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    await ipIn(ns.node, 'link', 'add', 'br0', 'type', 'bridge');
    await ipIn(ns.node, 'addr', 'add', `${ip.gw}/24`, 'dev', 'br0');
    await ipIn(ns.node, 'link', 'set', 'br0', 'up');
    await ipIn(ns.node, 'link', 'add', 'eth-rem', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.remote);
    await ipIn(ns.node, 'addr', 'add', `${ip.node}/24`, 'dev', 'eth-rem');
    await ipIn(ns.node, 'link', 'set', 'eth-rem', 'up');
    await ipIn(ns.remote, 'addr', 'add', `${ip.remote}/24`, 'dev', 'eth0');
    await ipIn(ns.remote, 'link', 'set', 'eth0', 'up');
    await ipIn(ns.remote, 'route', 'add', 'default', 'via', ip.node);
    for (const name of ['a', 'b', 'c'] as const) {
      const host = `veth-${name}`;
      await ipIn(ns.node, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[name]);
      await ipIn(ns.node, 'link', 'set', host, 'master', 'br0', 'up');
      await ipIn(ns[name], 'addr', 'add', `${ip[name]}/24`, 'dev', 'eth0');
      await ipIn(ns[name], 'link', 'set', 'eth0', 'up');
      await ipIn(ns[name], 'route', 'add', 'default', 'via', ip.gw);
      serve(ns[name], name, ['8080', '9090']);
    }
    serve(ns.remote, 'remote', ['8080']);
    serve(ns.node, 'dns', [`${ip.gw}:53`]);
    await new Promise((r) => setTimeout(r, 300));
  });

  after(async () => {
    await syncer.stop();
    for (const s of servers) if (s.pid && s.exitCode === null) process.kill(s.pid, 'SIGKILL');
    for (const n of Object.values(ns)) await run('ip', ['netns', 'del', n]).catch(() => {});
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves pods no policy selects open', async () => {
    await enforce([]);
    assert.equal(syncer.status.lastSyncKind, 'full');
    await expectReach({
      'b>a:8080': true,
      'c>a:9090': true,
      'remote>a:8080': true,
      'a>b:8080': true,
      'a>gw:53': true,
    });
  });

  it('default-deny ingress blocks everyone but the node, and replies still flow', async () => {
    await enforce([np('deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
    assert.equal(syncer.status.lastSyncKind, 'partial');
    await expectReach({
      'b>a:8080': false,
      'c>a:8080': false,
      'remote>a:8080': false,
      'node>a:8080': true, // probes from the node
      'a>c:8080': true, // c is not isolated; its replies come back as established
      'c>b:8080': false,
    });
  });

  it('allows from a podSelector only that pod, in the policy namespace', async () => {
    await enforce([
      np('deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      np('from-client', {
        podSelector: web,
        ingress: [{ _from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      }),
    ]);
    await expectReach({
      'b>a:8080': true,
      'b>a:9090': true,
      'c>a:8080': false,
      'remote>a:8080': false,
      'a>b:8080': false,
    });
  });

  it('namespaceSelector (alone and with a podSelector) picks peers by namespace labels, on any node', async () => {
    await enforce([
      np('from-blue', {
        podSelector: web,
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] } as never],
      }),
    ]);
    await expectReach({ 'c>a:8080': true, 'remote>a:8080': true, 'b>a:8080': false });
    await enforce([
      np('from-blue-client', {
        podSelector: web,
        ingress: [
          {
            _from: [
              {
                namespaceSelector: { matchLabels: { team: 'blue' } },
                podSelector: { matchLabels: { app: 'client' } },
              },
            ],
          },
        ],
      }),
    ]);
    await expectReach({ 'c>a:8080': true, 'remote>a:8080': false, 'b>a:8080': false });
  });

  it('ipBlock with except', async () => {
    await enforce([
      np('cidr', {
        podSelector: web,
        ingress: [
          {
            _from: [
              { ipBlock: { cidr: '10.44.0.0/24', except: ['10.44.0.12/32'] } },
              { ipBlock: { cidr: '192.168.60.2/24' } },
            ],
          },
        ],
      }),
    ]);
    await expectReach({ 'c>a:8080': true, 'b>a:8080': false, 'remote>a:8080': true });
  });

  it('restricts ports: numbers, ranges with endPort, and named ports', async () => {
    await enforce([np('port', { podSelector: web, ingress: [{ ports: [{ port: 'alt' }] }] })]);
    await expectReach({ 'b>a:9090': true, 'b>a:8080': false });
    await enforce([
      np('port', {
        podSelector: web,
        ingress: [{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }] }],
      }),
    ]);
    await expectReach({ 'b>a:8080': true, 'b>a:9090': false, 'c>a:8080': true });
    await enforce([
      np('port', { podSelector: web, ingress: [{ ports: [{ protocol: 'UDP', port: 8080 }] }] }),
    ]);
    await expectReach({ 'b>a:8080': false });
  });

  it('egress deny with DNS allowed; named egress ports resolve on the destination', async () => {
    await enforce([
      np('egress', {
        podSelector: web,
        policyTypes: ['Egress'],
        egress: [
          {
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      }),
    ]);
    await expectReach({ 'a>gw:53': true, 'a>b:8080': false, 'a>remote:8080': false, 'b>a:8080': true });
    await enforce([
      np('egress', {
        podSelector: web,
        policyTypes: ['Egress'],
        egress: [
          { ports: [{ protocol: 'TCP', port: 53 }] },
          { to: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'alt' }] },
        ],
      }),
    ]);
    await expectReach({ 'a>b:9090': true, 'a>b:8080': false, 'a>c:9090': false, 'a>gw:53': true });
  });

  it('keeps the previous rules when a transaction fails, and retries', async () => {
    const before = await listTable('ip', table, nft);
    failNext = true;
    syncer.update({ policies: [], pods, namespaces });
    await syncer.sync();
    assert.match(syncer.status.lastError ?? '', /nft transaction failed/);
    assert.deepEqual(await listTable('ip', table, nft), before);
    await expectReach({ 'a>b:8080': false });
    failNext = false;
    const until = Date.now() + 10_000;
    while (syncer.status.lastError && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(syncer.status.lastError, undefined);
    await expectReach({ 'a>b:8080': true });
  });

  it('restores a flushed or deleted table', async () => {
    await enforce([np('deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
    await inNs(ns.node, 'nft', 'flush', 'table', 'ip', table);
    await expectReach({ 'b>a:8080': true });
    assert.equal(await syncer.check(), false);
    assert.equal(await syncer.check(), true);
    await expectReach({ 'b>a:8080': false });
    await inNs(ns.node, 'nft', 'delete', 'table', 'ip', table);
    assert.equal(await syncer.check(), false);
    await expectReach({ 'b>a:8080': false });
  });

  it('removePolicyTables() leaves nothing behind', async () => {
    await removePolicyTables({ table, families: ['ip', 'ip6'], ...nft });
    const { stdout } = await inNs(ns.node, 'nft', 'list', 'ruleset');
    assert.equal(stdout.trim(), '');
    await removePolicyTables({ table, ...nft });
    await assert.rejects(
      apply([{ add: { rule: { family: 'ip', table, chain: 'forward', expr: [] } } }], nft),
      NftError,
    );
  });
});

const workloads = `
apiVersion: v1
kind: Pod
metadata: {name: server, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'echo hello > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']
    ports: [{containerPort: 8080, name: http}]
    readinessProbe:
      tcpSocket: {port: http}
      periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: friend, labels: {role: client}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: sh, image: busybox, imagePullPolicy: IfNotPresent, command: [sleep, '3600']}]
---
apiVersion: v1
kind: Pod
metadata: {name: stranger, labels: {role: other}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'echo hello > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']
`;
const denyAll = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-web}
spec:
  podSelector: {matchLabels: {app: web}}
`;
const allowFriend = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-friend}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {role: client}}}]
    ports: [{port: http}]
`;

const friendEgress = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: friend-egress}
spec:
  podSelector: {matchLabels: {role: client}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
  - to: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: http}]
`;

describe('NetworkPolicy through the embedded agent', { skip: canRun ? false : 'needs root' }, () => {
  let server: TestServer;
  let serverIp = '';
  let svcIp = '';

  /** Whether `pod` gets the page at host:port (one try; 2 s timeout). */
  const fetchFrom = async (pod: string, host: string, port: number) => {
    const r = await server.kubectl([
      'exec',
      pod,
      '--',
      'sh',
      '-c',
      `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} ${port}`,
    ]);
    return /hello/.test(r.stdout);
  };
  /** Polls until every check gives the wanted answer (the agent syncs asynchronously). */
  const eventually = async (
    want: Record<string, boolean>,
    checks: Record<string, () => Promise<boolean>>,
  ) => {
    const until = Date.now() + 30_000;
    let got: Record<string, boolean> = {};
    while (Date.now() < until) {
      got = {};
      for (const [k, f] of Object.entries(checks)) got[k] = await f();
      if (JSON.stringify(got) === JSON.stringify(want)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(got, want);
  };
  const checks = () => ({
    friend: () => fetchFrom('friend', serverIp, 8080),
    stranger: () => fetchFrom('stranger', serverIp, 8080),
    friendViaService: () => fetchFrom('friend', svcIp, 80),
    strangerViaService: () => fetchFrom('stranger', svcIp, 80),
    node: async () => {
      try {
        return /hello/.test(
          await (
            await fetch(`http://${serverIp}:8080/index.html`, { signal: AbortSignal.timeout(2000) })
          ).text(),
        );
      } catch {
        return false;
      }
    },
  });

  before(async () => {
    server = await startServer([], { agent: { slot: 4 } });
  });
  after(async () => {
    const dir = server?.dir;
    await server?.cleanup();
    // Not (yet) removed by the agent's clean-up: the policy tables of this test's agent.
    if (dir) {
      const table = `skiff-${path.basename(dir)}-policy`;
      await removePolicyTables({ table });
      assert.equal(await listTable('ip', table), null);
      assert.equal(await listTable('ip6', table), null);
    }
  });

  it('a NetworkPolicy blocks and then allows', async () => {
    const until = Date.now() + 90_000;
    while (!(await server.kubectl(['get', 'nodes', '-o', 'name'])).stdout.trim() && Date.now() < until)
      await new Promise((r) => setTimeout(r, 500));
    await server.ok(['apply', '-f', '-'], { input: workloads });
    await server.ok([
      'wait',
      '--for=condition=Ready',
      'pod/server',
      'pod/friend',
      'pod/stranger',
      '--timeout=120s',
    ]);
    serverIp = (await server.ok(['get', 'pod', 'server', '-o', 'jsonpath={.status.podIP}'])).trim();
    svcIp = (await server.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const all = {
      friend: true,
      stranger: true,
      friendViaService: true,
      strangerViaService: true,
      node: true,
    };
    await eventually(all, checks());

    await server.ok(['apply', '-f', '-'], { input: denyAll });
    await eventually(
      { friend: false, stranger: false, friendViaService: false, strangerViaService: false, node: true },
      checks(),
    );
    await server.ok(['apply', '-f', '-'], { input: allowFriend });
    await eventually(
      { friend: true, stranger: false, friendViaService: true, strangerViaService: false, node: true },
      checks(),
    );
    // The kubelet's readiness probe comes from the node: the isolated pod stays Ready.
    const ready = await server.ok([
      'get',
      'pod',
      'server',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    assert.equal(ready.trim(), 'True');

    await server.ok(['delete', 'networkpolicy', 'deny-web', 'allow-friend']);
    await eventually(all, checks());

    // Egress: DNS (the cluster DNS on the node: the input hook) and the web pods only.
    const strangerIp = (await server.ok(['get', 'pod', 'stranger', '-o', 'jsonpath={.status.podIP}'])).trim();
    const resolves = async () =>
      /Address: \d/.test(
        (
          await server.kubectl([
            'exec',
            'friend',
            '--',
            'nslookup',
            '-type=a',
            'web.default.svc.cluster.local',
          ])
        ).stdout,
      );
    const egressChecks = {
      dns: resolves,
      web: () => fetchFrom('friend', 'web', 80),
      stranger: () => fetchFrom('friend', strangerIp, 8080),
      strangerToFriendless: () => fetchFrom('stranger', serverIp, 8080),
    };
    await eventually({ dns: true, web: true, stranger: true, strangerToFriendless: true }, egressChecks);
    await server.ok(['apply', '-f', '-'], { input: friendEgress });
    await eventually({ dns: true, web: true, stranger: false, strangerToFriendless: true }, egressChecks);
  });
});

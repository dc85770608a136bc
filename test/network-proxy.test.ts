/**
 * The Service proxy against real nftables, inside network namespaces this test creates (root
 * only; skipped otherwise). The host's own ruleset is never touched.
 *
 *   client (192.168.50.2) ── veth ── node (192.168.50.1, bridge 10.42.0.1/24) ── veth ── pod1 10.42.0.11
 *                                                                             └─ veth ── pod2 10.42.0.12
 *
 * Each pod (and the client) runs `busybox httpd` answering with its name, and at /cgi-bin/who
 * with its name and the caller's address as it sees it (to check what is NATed and what is not).
 * The proxy's tables live in the node namespace; the client and pods connect with `busybox nc`.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { apply, listTable, NftError } from '../src/network/nftables/index.ts';
import { type NftRunner, Proxier, removeTables } from '../src/network/proxy/index.ts';

const run = promisify(execFile);
const canRun =
  process.getuid?.() === 0 &&
  ['/usr/sbin/nft', '/usr/bin/busybox', '/usr/sbin/ip'].every((f) => fs.existsSync(f));
const tag = `skp${process.pid}`;
const ns = { node: `${tag}-node`, client: `${tag}-client`, pod1: `${tag}-pod1`, pod2: `${tag}-pod2` };
const table = `skiff-test-${process.pid}`;
const nft = { netns: ns.node };
const clusterIp = '10.43.0.10';
const stickyIp = '10.43.0.11';
const hostSvcIp = '10.43.0.13';
const nodeIp = '192.168.50.1';
const clientIp = '192.168.50.2';

const ipIn = (netns: string, ...args: string[]) => run('ip', ['-n', netns, ...args]);
const inNs = (netns: string, cmd: string, ...args: string[]) =>
  run('ip', ['netns', 'exec', netns, cmd, ...args]);

/** Who answered a GET of /cgi-bin/who, and the client address it saw. */
async function who(from: string, ip: string, port: number): Promise<{ server: string; peer: string }> {
  const body = await get(from, ip, port, '/cgi-bin/who', /(pod\d|client|node) from (\S+)/);
  const [server, peer] = body.split(' from ');
  // httpd listens on an IPv6 socket: IPv4 callers appear as [::ffff:a.b.c.d].
  return { server: server!, peer: peer!.replace(/^\[::ffff:(.*)\]$/, '$1') };
}

/** One HTTP GET through `busybox nc` from a namespace; the body names the pod that answered. */
async function get(from: string, ip: string, port: number, urlPath = '/', want = /pod\d/): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ip',
      ['netns', 'exec', from, 'busybox', 'nc', '-w', '3', ip, String(port)],
      { timeout: 8000 },
      (err, stdout) => {
        const body = want.exec(stdout)?.[0];
        if (body) resolve(body);
        else reject(new Error(`GET ${ip}:${port} from ${from}: ${err?.message ?? `no answer: ${stdout}`}`));
      },
    );
    child.stdin?.end(`GET ${urlPath} HTTP/1.0\r\n\r\n`);
  });
}
async function spread(from: string, ip: string, port: number, tries: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < tries; i++) {
    const who = await get(from, ip, port);
    seen.set(who, (seen.get(who) ?? 0) + 1);
  }
  return seen;
}

function services(): V1Service[] {
  return [
    {
      metadata: { namespace: 'default', name: 'web' },
      spec: {
        type: 'NodePort',
        clusterIP: clusterIp,
        ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
      },
    },
    {
      metadata: { namespace: 'default', name: 'sticky' },
      spec: {
        clusterIP: stickyIp,
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    },
    {
      // Backed by the node itself (as `kubernetes` by an API server on the node's loopback).
      metadata: { namespace: 'default', name: 'host' },
      spec: { clusterIP: hostSvcIp, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      metadata: { namespace: 'default', name: 'local' },
      spec: {
        type: 'NodePort',
        clusterIP: '10.43.0.12',
        externalTrafficPolicy: 'Local',
        ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30081 }],
      },
    },
  ];
}
const slice = (svc: string, addresses = ['10.42.0.11', '10.42.0.12']): V1EndpointSlice => ({
  addressType: 'IPv4',
  metadata: { namespace: 'default', name: `${svc}-1`, labels: { 'kubernetes.io/service-name': svc } },
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: addresses.map((a) => ({ addresses: [a], nodeName: 'node', conditions: { ready: true } })),
});

describe('service proxy on nftables', { skip: canRun ? false : 'needs root, ip, nft and busybox' }, () => {
  const servers: ChildProcess[] = [];
  let dir = '';
  let failNext = false;
  // The real nft, with a switch that corrupts the next transaction (a rule jumping nowhere).
  const runner: NftRunner = {
    apply: (commands, opts) =>
      apply(
        failNext
          ? [
              ...commands,
              {
                add: {
                  rule: {
                    family: 'ip',
                    table,
                    chain: 'services',
                    expr: [{ jump: { target: 'no-such-chain' } }],
                  },
                },
              },
            ]
          : commands,
        opts,
      ),
    listChain: async (family, t, chain, opts) => {
      const { listChain } = await import('../src/network/nftables/index.ts');
      return listChain(family, t, chain, opts);
    },
  };
  const proxier = new Proxier({
    nodeName: 'node',
    nodeIps: [nodeIp],
    clusterCidr: '10.42.0.0/16',
    table,
    families: ['ip'],
    nft,
    runner,
    checkIntervalMs: 0,
    minSyncIntervalMs: 0,
    retryMs: 100,
  });

  /** busybox httpd on :8080 in a namespace: `/` says its name, /cgi-bin/who also the caller. */
  function serve(netns: string, name: string): ChildProcess {
    const www = path.join(dir, name);
    fs.mkdirSync(path.join(www, 'cgi-bin'), { recursive: true });
    fs.writeFileSync(path.join(www, 'index.html'), `${name}\n`);
    const cgi = path.join(www, 'cgi-bin', 'who');
    fs.writeFileSync(
      cgi,
      `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n${name} from %s\\n' "$REMOTE_ADDR"\n`,
    );
    fs.chmodSync(cgi, 0o755);
    return spawn('ip', ['netns', 'exec', netns, 'busybox', 'httpd', '-f', '-p', '8080', '-h', www], {
      stdio: 'ignore',
    });
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-proxy-test-'));
    for (const n of Object.values(ns)) await run('ip', ['netns', 'add', n]);
    for (const n of Object.values(ns)) await ipIn(n, 'link', 'set', 'lo', 'up');
    await inNs(ns.node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    await ipIn(ns.node, 'link', 'add', 'br0', 'type', 'bridge');
    await ipIn(ns.node, 'addr', 'add', '10.42.0.1/24', 'dev', 'br0');
    await ipIn(ns.node, 'link', 'set', 'br0', 'up');
    // A node's own connections to ClusterIPs need a route before the output hook DNATs them.
    await ipIn(ns.node, 'route', 'add', '10.43.0.0/16', 'dev', 'br0');
    await ipIn(
      ns.node,
      'link',
      'add',
      'eth-client',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      ns.client,
    );
    await ipIn(ns.node, 'addr', 'add', `${nodeIp}/24`, 'dev', 'eth-client');
    await ipIn(ns.node, 'link', 'set', 'eth-client', 'up');
    await ipIn(ns.client, 'addr', 'add', `${clientIp}/24`, 'dev', 'eth0');
    await ipIn(ns.client, 'link', 'set', 'eth0', 'up');
    await ipIn(ns.client, 'route', 'add', 'default', 'via', nodeIp);
    for (const [i, pod] of [ns.pod1, ns.pod2].entries()) {
      const host = `veth-pod${i + 1}`;
      await ipIn(ns.node, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod);
      await ipIn(ns.node, 'link', 'set', host, 'master', 'br0', 'up');
      // As the CNI bridge plugin's hairpinMode: with br_netfilter, a frame DNATed back to the
      // pod it came from is bridged out of the port it came in on.
      await ipIn(ns.node, 'link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on');
      await ipIn(pod, 'addr', 'add', `10.42.0.${11 + i}/24`, 'dev', 'eth0');
      await ipIn(pod, 'link', 'set', 'eth0', 'up');
      await ipIn(pod, 'route', 'add', 'default', 'via', '10.42.0.1');
      servers.push(serve(pod, `pod${i + 1}`));
    }
    servers.push(serve(ns.client, 'client'), serve(ns.node, 'node'));
    proxier.update({
      services: services(),
      endpointSlices: [slice('web'), slice('sticky'), slice('local'), slice('host', [nodeIp])],
    });
    await proxier.sync();
    assert.equal(proxier.status.lastError, undefined);
  });

  after(async () => {
    await proxier.stop();
    for (const s of servers) if (s.pid && s.exitCode === null) process.kill(s.pid, 'SIGKILL');
    for (const n of Object.values(ns)) await run('ip', ['netns', 'del', n]).catch(() => {});
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('spreads connections to the ClusterIP over both endpoints', async () => {
    const seen = await spread(ns.client, clusterIp, 80, 24);
    assert.deepEqual([...seen.keys()].sort(), ['pod1', 'pod2'], JSON.stringify([...seen]));
  });

  it('answers the NodePort on the node address', async () => {
    const seen = await spread(ns.client, nodeIp, 30080, 12);
    assert.ok(seen.size >= 1);
  });

  it('lets a pod reach itself through its own Service (hairpin)', async () => {
    const seen = await spread(ns.pod1, clusterIp, 80, 24);
    assert.deepEqual([...seen.keys()].sort(), ['pod1', 'pod2'], JSON.stringify([...seen]));
  });

  it('masquerades outside clients and pod egress, but not pod to pod', async () => {
    const seenFromClient = await who(ns.client, clusterIp, 80);
    assert.equal(seenFromClient.peer, '10.42.0.1', 'an outside client reaches the pod from the node');
    for (let i = 0; i < 30; i++) {
      const r = await who(ns.pod1, clusterIp, 80);
      if (r.server === 'pod2') {
        assert.equal(r.peer, '10.42.0.11', 'pod to Service to pod keeps the pod address');
        break;
      }
      assert.equal(r.peer, '10.42.0.1', 'hairpin: the pod reaches itself from the node address');
    }
    assert.deepEqual(await who(ns.pod1, clientIp, 8080), { server: 'client', peer: nodeIp });
  });

  it('leaves the node reaching its own endpoint directly alone; masquerades it through the Service', async () => {
    // Only DNATed connections are hairpin: a plain local connection to an address that is also
    // an endpoint keeps its source (it once lost it, and loopback clients of the API server
    // saw resets and connect timeouts).
    assert.deepEqual(await who(ns.node, nodeIp, 8080), { server: 'node', peer: nodeIp });
    assert.equal((await who(ns.node, hostSvcIp, 80)).server, 'node');
  });

  it('keeps the client address for externalTrafficPolicy Local', async () => {
    assert.deepEqual(await who(ns.client, nodeIp, 30081).then((r) => r.peer), clientIp);
    assert.equal((await who(ns.client, nodeIp, 30080)).peer, '10.42.0.1', 'Cluster policy masquerades');
  });

  it('keeps a client on one endpoint with ClientIP affinity', async () => {
    const seen = await spread(ns.client, stickyIp, 80, 10);
    assert.equal(seen.size, 1, JSON.stringify([...seen]));
  });

  it('leaves the previous table in place when a transaction fails, and retries', async () => {
    const before = await listTable('ip', table, nft);
    const generation = proxier.status.generation;
    failNext = true;
    const moved = slice('web');
    moved.endpoints = (moved.endpoints ?? []).slice(0, 1);
    proxier.update({ services: services(), endpointSlices: [moved, slice('sticky'), slice('local')] });
    await proxier.sync();
    assert.match(proxier.status.lastError ?? '', /nft transaction failed/);
    assert.equal(proxier.status.generation, generation);
    assert.deepEqual(await listTable('ip', table, nft), before);
    const seen = await spread(ns.client, clusterIp, 80, 16);
    assert.equal(seen.size, 2, 'the old rules still spread over both endpoints');
    // The kernel refused the whole document, not only the bad rule.
    await assert.rejects(
      apply(
        [{ add: { rule: { family: 'ip', table, chain: 'services', expr: [{ jump: { target: 'nope' } }] } } }],
        nft,
      ),
      (e: unknown) => e instanceof NftError && /nope|No such file/.test(e.stderr),
    );
    failNext = false;
    const until = Date.now() + 10_000;
    while (proxier.status.generation === generation && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(proxier.status.lastError, undefined);
    assert.deepEqual([...(await spread(ns.client, clusterIp, 80, 6)).keys()], ['pod1']);
  });

  it('notices a flushed table and restores it', async () => {
    await inNs(ns.node, 'nft', 'flush', 'table', 'ip', table);
    await assert.rejects(get(ns.client, clusterIp, 80));
    assert.equal(await proxier.check(), false);
    assert.equal(await proxier.check(), true);
    assert.equal(await get(ns.client, clusterIp, 80), 'pod1');
    await inNs(ns.node, 'nft', 'delete', 'table', 'ip', table);
    assert.equal(await proxier.check(), false);
    assert.equal(await get(ns.client, clusterIp, 80), 'pod1');
  });

  it('removeTables() leaves nothing behind', async () => {
    await removeTables({ table, families: ['ip', 'ip6'], ...nft });
    const { stdout } = await inNs(ns.node, 'nft', 'list', 'ruleset');
    assert.equal(stdout.trim(), '');
    await removeTables({ table, ...nft }); // and is idempotent
  });
});

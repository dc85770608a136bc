import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Service, V1ServiceSpec } from '@kubernetes/client-node';

export function service(name: string, spec: Partial<V1ServiceSpec>, ns = 'default'): V1Service {
  return {
    metadata: { namespace: ns, name },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
  };
}

export interface Ep {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export function slice(
  svc: string,
  eps: Ep[],
  opts: { ns?: string; port?: number; v6?: boolean } = {},
): V1EndpointSlice {
  return {
    addressType: opts.v6 ? 'IPv6' : 'IPv4',
    metadata: {
      namespace: opts.ns ?? 'default',
      name: `${svc}-x${eps.length}`,
      labels: { 'kubernetes.io/service-name': svc },
    },
    ports: [{ name: 'http', port: opts.port ?? 8080, protocol: 'TCP' }],
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      nodeName: e.node ?? 'node-a',
      conditions: {
        ready: e.ready ?? true,
        ...(e.serving === undefined ? {} : { serving: e.serving }),
        ...(e.terminating === undefined ? {} : { terminating: e.terminating }),
      },
    })),
  };
}

import type { Expr, Ruleset } from '../nftables/index.ts';
import * as names from './names.ts';
import { buildRuleset, chains, type ProxyInput, sets } from './rules.ts';

const base = (over: Partial<ProxyInput>): ProxyInput => ({
  services: [],
  endpointSlices: [],
  nodeName: 'node-a',
  nodeIps: ['192.168.1.10', 'fd00::10'],
  clusterCidr: '10.42.0.0/16,fd42::/56',
  ...over,
});

const keyText = (e: Expr): string =>
  typeof e === 'object' && !Array.isArray(e) && 'concat' in e ? e.concat.join(' . ') : JSON.stringify(e);
/** A map's elements as `key → verdict` strings: `10.43.0.5 . tcp . 80 → goto:svc-…`. */
function mapOf(rs: Ruleset, name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of rs.sets.get(name)?.elements ?? []) {
    const [k, v] = e as [Expr, Record<string, { target?: string } | null>];
    const verb = Object.keys(v)[0]!;
    out.set(keyText(k), v[verb]?.target ? `${verb}:${v[verb]!.target}` : verb);
  }
  return out;
}
const rulesOf = (rs: Ruleset, chain: string) => JSON.stringify(rs.chains.get(chain)?.rules ?? null);
const id = (name: string, ns = 'default') => `${ns}/${name}/tcp/http`;

describe('buildRuleset', () => {
  it('sends a ClusterIP to a random ready endpoint and refuses one without endpoints', () => {
    const rs = buildRuleset(
      base({
        services: [service('web', { clusterIP: '10.43.0.5' }), service('empty', { clusterIP: '10.43.0.6' })],
        endpointSlices: [
          slice('web', [
            { ip: '10.42.0.7' },
            { ip: '10.42.1.8', node: 'node-b' },
            { ip: '10.42.0.9', ready: false },
          ]),
        ],
      }),
    );
    const svc = names.serviceChain(id('web'));
    assert.equal(mapOf(rs, sets.serviceIps).get('10.43.0.5 . tcp . 80'), `goto:${svc}`);
    const rules = rs.chains.get(svc)!.rules;
    assert.equal(rules.length, 1);
    const text = JSON.stringify(rules[0]);
    assert.match(text, /"numgen":\{"mode":"random","mod":2/);
    assert.match(text, /\[0,\{"concat":\["10.42.0.7",8080\]\}\],\[1,\{"concat":\["10.42.1.8",8080\]\}\]/);
    assert.doesNotMatch(text, /10\.42\.0\.9/, 'a not-ready endpoint gets no traffic');
    assert.equal(
      mapOf(rs, sets.noEndpointServices).get('10.43.0.6 . tcp . 80'),
      `goto:${chains.rejectChain}`,
    );
    assert.equal(mapOf(rs, sets.serviceIps).has('10.43.0.6 . tcp . 80'), false);
    // Hairpin: each endpoint reaching itself is masqueraded.
    const hairpin = rs.sets.get(sets.hairpin)!.elements.map(keyText);
    assert.deepEqual(hairpin.sort(), ['10.42.0.7 . 10.42.0.7', '10.42.1.8 . 10.42.1.8']);
    assert.deepEqual(rs.sets.get(sets.clusterIps)!.elements.sort(), ['10.43.0.5', '10.43.0.6']);
  });

  it('masquerades Service traffic from outside the cluster CIDR and pods leaving it, not pod to pod', () => {
    const rs = buildRuleset(base({}));
    const services = rulesOf(rs, chains.services);
    assert.match(
      services,
      /"op":"!=","left":\{"payload":\{"protocol":"ip","field":"saddr"\}\},"right":\{"prefix":\{"addr":"10.42.0.0","len":16\}\}/,
    );
    assert.match(services, /"right":"@cluster-ips"\}\},\{"jump":\{"target":"mark-for-masquerade"\}\}/);
    const egress = rulesOf(rs, chains.clusterEgress);
    assert.match(
      egress,
      /"op":"==","left":\{"payload":\{"protocol":"ip","field":"saddr"\}\},"right":\{"prefix":\{"addr":"10.42.0.0"/,
    );
    assert.match(
      egress,
      /"op":"!=","left":\{"payload":\{"protocol":"ip","field":"daddr"\}\},"right":\{"prefix":\{"addr":"10.42.0.0"/,
    );
    const all = buildRuleset(base({ masqueradeAll: true }));
    assert.doesNotMatch(rulesOf(all, chains.services), /saddr/);
    assert.match(rulesOf(all, chains.services), /@cluster-ips/);
  });

  it('writes nothing for headless and ExternalName Services', () => {
    const rs = buildRuleset(
      base({
        services: [
          service('headless', { clusterIP: 'None' }),
          service('ext', { type: 'ExternalName', externalName: 'example.com', clusterIP: '' }),
        ],
        endpointSlices: [slice('headless', [{ ip: '10.42.0.7' }])],
      }),
    );
    for (const s of [sets.serviceIps, sets.noEndpointServices, sets.serviceNodePorts]) {
      assert.equal(rs.sets.get(s)!.elements.length, 0);
    }
    assert.equal([...rs.chains.keys()].filter((c) => /^(svc|svl|ext|ep)-/.test(c)).length, 0);
  });

  it('opens NodePorts on the node addresses and LoadBalancers on the node addresses and ingress', () => {
    const rs = buildRuleset(
      base({
        services: [
          service('np', {
            type: 'NodePort',
            clusterIP: '10.43.0.7',
            ports: [{ name: 'http', port: 80, nodePort: 30080 }],
          }),
          {
            ...service('lb', {
              type: 'LoadBalancer',
              clusterIP: '10.43.0.8',
              ports: [{ name: 'http', port: 443, nodePort: 30443 }],
            }),
            status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }, { ip: '203.0.113.4' }] } },
          },
        ],
        endpointSlices: [slice('np', [{ ip: '10.42.0.7' }]), slice('lb', [{ ip: '10.42.0.8' }])],
      }),
    );
    assert.deepEqual(rs.sets.get(sets.nodePortIps)!.elements, ['192.168.1.10']);
    const nodePorts = mapOf(rs, sets.serviceNodePorts);
    assert.equal(nodePorts.get('tcp . 30080'), `goto:${names.externalChain(id('np'))}`);
    assert.equal(nodePorts.get('tcp . 30443'), `goto:${names.externalChain(id('lb'))}`);
    const ips = mapOf(rs, sets.serviceIps);
    assert.equal(ips.get('192.168.1.10 . tcp . 443'), `goto:${names.externalChain(id('lb'))}`);
    assert.equal(ips.get('203.0.113.4 . tcp . 443'), `goto:${names.externalChain(id('lb'))}`);
    assert.equal(
      ips.has('192.168.1.10 . tcp . 80'),
      false,
      'a NodePort Service is not on the node IP at its port',
    );
    // externalTrafficPolicy Cluster: masquerade, then any endpoint.
    assert.equal(
      rulesOf(rs, names.externalChain(id('np'))),
      JSON.stringify([
        { expr: [{ jump: { target: 'mark-for-masquerade' } }] },
        { expr: [{ goto: { target: names.serviceChain(id('np')) } }] },
      ]),
    );
  });

  it('keeps the client address and local endpoints for externalTrafficPolicy Local', () => {
    const spec = {
      type: 'NodePort',
      clusterIP: '10.43.0.9',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, nodePort: 30090 }],
    };
    const input = base({
      services: [service('loc', spec)],
      endpointSlices: [slice('loc', [{ ip: '10.42.0.7' }, { ip: '10.42.1.8', node: 'node-b' }])],
    });
    const rs = buildRuleset(input);
    const ext = rulesOf(rs, names.externalChain(id('loc')));
    assert.match(ext, /"fib":\{"result":"type","flags":\["saddr"\]\}/);
    assert.ok(ext.endsWith(`{"expr":[{"goto":{"target":"${names.localChain(id('loc'))}"}}]}]`));
    const local = rulesOf(rs, names.localChain(id('loc')));
    assert.match(local, /10\.42\.0\.7/);
    assert.doesNotMatch(local, /10\.42\.1\.8/);
    // No local endpoint: outside clients are dropped, pods still reach the Service.
    const remote = buildRuleset({ ...input, nodeName: 'node-c' });
    const remoteExt = rulesOf(remote, names.externalChain(id('loc')));
    assert.ok(remoteExt.endsWith('{"expr":[{"drop":null}]}]'));
    assert.ok(remote.chains.has(names.serviceChain(id('loc'))));
  });

  it('sends a ClusterIP only to local endpoints for internalTrafficPolicy Local', () => {
    const input = base({
      services: [service('itp', { clusterIP: '10.43.0.10', internalTrafficPolicy: 'Local' })],
      endpointSlices: [slice('itp', [{ ip: '10.42.0.7' }, { ip: '10.42.1.8', node: 'node-b' }])],
    });
    const rs = buildRuleset(input);
    assert.equal(
      mapOf(rs, sets.serviceIps).get('10.43.0.10 . tcp . 80'),
      `goto:${names.localChain(id('itp'))}`,
    );
    const remote = buildRuleset({ ...input, nodeName: 'node-c' });
    assert.equal(mapOf(remote, sets.noEndpointServices).get('10.43.0.10 . tcp . 80'), 'drop');
  });

  it('pins a client to its endpoint with ClientIP affinity and the configured timeout', () => {
    const rs = buildRuleset(
      base({
        services: [
          service('sticky', {
            clusterIP: '10.43.0.11',
            sessionAffinity: 'ClientIP',
            sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
          }),
        ],
        endpointSlices: [slice('sticky', [{ ip: '10.42.0.7' }, { ip: '10.42.0.8' }])],
      }),
    );
    const sid = id('sticky');
    const aff = names.affinitySet(sid, '10.42.0.7', 8080);
    assert.deepEqual(
      { ...rs.sets.get(aff)!, elements: undefined },
      { type: 'ipv4_addr', flags: ['timeout'], timeout: 600, elements: undefined },
    );
    const svc = rulesOf(rs, names.serviceChain(sid));
    assert.match(
      svc,
      new RegExp(
        `"right":"@${aff}"\\}\\},\\{"goto":\\{"target":"${names.endpointChain(sid, '10.42.0.7', 8080)}"`,
      ),
    );
    assert.match(svc, /"vmap":\{"key":\{"numgen"/);
    const ep = rulesOf(rs, names.endpointChain(sid, '10.42.0.7', 8080));
    assert.match(
      ep,
      new RegExp(
        `"set":\\{"op":"update","elem":\\{"payload":\\{"protocol":"ip","field":"saddr"\\}\\},"set":"@${aff}"`,
      ),
    );
    assert.match(ep, /"dnat":\{"addr":"10.42.0.7","port":8080\}/);
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const rs = buildRuleset(
      base({
        services: [service('drain', { clusterIP: '10.43.0.12' })],
        endpointSlices: [
          slice('drain', [
            { ip: '10.42.0.7', ready: false, serving: true, terminating: true },
            { ip: '10.42.0.8', ready: false, serving: false, terminating: true },
          ]),
        ],
      }),
    );
    const svc = rulesOf(rs, names.serviceChain(id('drain')));
    assert.match(svc, /"dnat":\{"addr":"10.42.0.7","port":8080\}/);
    assert.doesNotMatch(svc, /10\.42\.0\.8/);
  });

  it('builds the IPv6 table from IPv6 addresses only', () => {
    const input = base({
      services: [
        service('dual', {
          clusterIP: '10.43.0.13',
          clusterIPs: ['10.43.0.13', 'fd43::13'],
          ipFamilies: ['IPv4', 'IPv6'],
        }),
      ],
      endpointSlices: [
        slice('dual', [{ ip: '10.42.0.7' }]),
        slice('dual', [{ ip: 'fd42::7' }], { v6: true }),
      ],
    });
    const v6 = buildRuleset(input, 'ip6');
    assert.deepEqual([...mapOf(v6, sets.serviceIps).keys()], ['fd43::13 . tcp . 80']);
    assert.match(rulesOf(v6, names.serviceChain(id('dual'))), /"dnat":\{"addr":"fd42::7","port":8080\}/);
    assert.deepEqual(v6.sets.get(sets.nodePortIps)!.elements, ['fd00::10']);
    assert.match(rulesOf(v6, chains.clusterEgress), /"addr":"fd42::","len":56/);
    assert.equal(v6.sets.get(sets.serviceIps)!.type[0], 'ipv6_addr');
    const v4 = buildRuleset(input, 'ip');
    assert.deepEqual([...mapOf(v4, sets.serviceIps).keys()], ['10.43.0.13 . tcp . 80']);
  });

  it('reports, and does not crash on, conflicting NodePorts and unknown protocols', () => {
    const warnings: string[] = [];
    const rs = buildRuleset(
      base({
        services: [
          service('a', {
            type: 'NodePort',
            clusterIP: '10.43.0.20',
            ports: [{ name: 'http', port: 80, nodePort: 30100 }],
          }),
          service('b', {
            type: 'NodePort',
            clusterIP: '10.43.0.21',
            ports: [{ name: 'http', port: 80, nodePort: 30100 }],
          }),
          service('c', { clusterIP: '10.43.0.22', ports: [{ name: 'http', port: 80, protocol: 'ICMP' }] }),
        ],
        endpointSlices: [slice('a', [{ ip: '10.42.0.7' }]), slice('b', [{ ip: '10.42.0.8' }])],
        warn: (m) => warnings.push(m),
      }),
    );
    assert.equal(mapOf(rs, sets.serviceNodePorts).get('tcp . 30100'), `goto:${names.externalChain(id('a'))}`);
    assert.equal(warnings.length, 2);
    assert.match(warnings.join('\n'), /tcp \. 30100 is claimed by more than one Service/);
    assert.match(warnings.join('\n'), /default\/c port http: unsupported protocol ICMP/);
  });

  it('guards loopback when a node IP is on it (route_localnet), and only then', () => {
    const guard = /"!=","left":\{"meta":\{"key":"iifname"\}\},"right":"lo".*127\.0\.0\.0.*"drop"/;
    const loop = buildRuleset(base({ nodeIps: ['127.0.0.1'] }), 'ip');
    assert.deepEqual(loop.sets.get(sets.nodePortIps)!.elements, ['127.0.0.1']);
    assert.match(rulesOf(loop, chains.filterInput), guard);
    assert.doesNotMatch(rulesOf(buildRuleset(base({}), 'ip'), chains.filterInput), guard);
  });
});

describe('buildRuleset caching', () => {
  it('reuses an unchanged Service fragment and rebuilds a changed one', () => {
    const web = service('web', { clusterIP: '10.43.0.5' });
    const other = service('other', { clusterIP: '10.43.0.6' });
    const webSlice = slice('web', [{ ip: '10.42.0.7' }]);
    const otherSlice = slice('other', [{ ip: '10.42.0.8' }]);
    const a = buildRuleset(base({ services: [web, other], endpointSlices: [webSlice, otherSlice] }));
    const moved = slice('web', [{ ip: '10.42.0.9' }]);
    const b = buildRuleset(base({ services: [web, other], endpointSlices: [moved, otherSlice] }));
    const webChain = names.serviceChain(id('web'));
    const otherChain = names.serviceChain(id('other'));
    assert.equal(
      b.chains.get(otherChain)!.rules,
      a.chains.get(otherChain)!.rules,
      'same objects, same rules',
    );
    assert.match(rulesOf(b, webChain), /10\.42\.0\.9/);
    assert.doesNotMatch(rulesOf(b, webChain), /10\.42\.0\.7/);
    // A Service changed in place with a new resourceVersion is rebuilt too.
    web.metadata!.resourceVersion = '2';
    web.spec!.ports![0]!.port = 81;
    const c = buildRuleset(base({ services: [web, other], endpointSlices: [moved, otherSlice] }));
    assert.ok(mapOf(c, sets.serviceIps).has('10.43.0.5 . tcp . 81'));
    // Another node sees the same objects differently.
    const d = buildRuleset(
      base({ services: [web, other], endpointSlices: [moved, otherSlice], nodeName: 'node-b' }),
    );
    assert.notEqual(d.chains.get(otherChain)!.rules, c.chains.get(otherChain)!.rules);
  });
});

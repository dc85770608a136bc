import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { diffCommands, type Ruleset } from '../nftables/index.ts';
import { buildPolicyRuleset, normalizeCidr, type PolicyInput } from './rules.ts';

const pod = (
  name: string,
  ip: string,
  labels: Record<string, string>,
  extra: { namespace?: string; node?: string; phase?: string; hostNetwork?: boolean } = {},
): V1Pod => ({
  metadata: { name, namespace: extra.namespace ?? 'app', labels },
  spec: {
    nodeName: extra.node ?? 'n1',
    hostNetwork: extra.hostNetwork,
    containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }],
  },
  status: { phase: extra.phase ?? 'Running', podIPs: [{ ip }] },
});

const pods = [
  pod('web', '10.42.0.2', { app: 'web' }),
  pod('client', '10.42.0.3', { app: 'client' }),
  pod('far', '10.42.1.4', { app: 'client' }, { node: 'n2' }),
  pod('other', '10.42.1.5', { app: 'client' }, { namespace: 'other', node: 'n2' }),
  pod('done', '10.42.0.6', { app: 'client' }, { phase: 'Succeeded' }),
  pod('host', '192.168.1.1', { app: 'client' }, { hostNetwork: true }),
  pod('v6', 'fd00::7', { app: 'web' }),
];
const np = (name: string, spec: V1NetworkPolicy['spec']): V1NetworkPolicy => ({
  metadata: { name, namespace: 'app' },
  spec,
});

function build(policies: V1NetworkPolicy[], family: 'ip' | 'ip6' = 'ip', warnings: string[] = []): Ruleset {
  const input: PolicyInput = {
    policies,
    pods,
    namespaces: [{ metadata: { name: 'app' } }, { metadata: { name: 'other', labels: { team: 'blue' } } }],
    nodeName: 'n1',
    nodeIps: ['192.168.1.1'],
    warn: (m) => warnings.push(m),
  };
  return buildPolicyRuleset(input, family);
}

const mapKeys = (rs: Ruleset, name: string) =>
  (rs.sets.get(name)?.elements ?? []).map((e) => (e as unknown[])[0]).sort();
const chainOf = (rs: Ruleset, name: string, ip: string) => {
  const e = rs.sets.get(name)?.elements.find((x) => (x as unknown[])[0] === ip) as [
    string,
    { jump: { target: string } },
  ];
  return e ? rs.chains.get(e[1].jump.target)?.rules : undefined;
};
const json = (x: unknown) => JSON.stringify(x);

describe('buildPolicyRuleset', () => {
  it('with no policy, isolates nothing', () => {
    const rs = build([]);
    assert.deepEqual(mapKeys(rs, 'ingress'), []);
    assert.deepEqual(mapKeys(rs, 'egress'), []);
    assert.deepEqual([...rs.chains.keys()], ['forward', 'input']);
    assert.equal(rs.chains.get('forward')?.base?.hook, 'forward');
    assert.match(json(rs.chains.get('forward')?.rules[0]), /established.*related.*accept/);
  });

  it('default-deny ingress isolates every local pod of the namespace, node traffic allowed', () => {
    const rs = build([np('deny', { podSelector: {} })]);
    assert.deepEqual(mapKeys(rs, 'ingress'), ['10.42.0.2', '10.42.0.3'], 'finished pods are not enforced');
    assert.deepEqual(mapKeys(rs, 'egress'), [], 'policyTypes defaults to Ingress only');
    const rules = chainOf(rs, 'ingress', '10.42.0.2') ?? [];
    assert.equal(rules.length, 2);
    assert.match(json(rules[0]), /192\.168\.1\.1.*accept/);
    assert.match(json(rules[1]), /"drop"/);
  });

  it('defaults policyTypes to Ingress and Egress when there are egress rules', () => {
    const rs = build([np('e', { podSelector: { matchLabels: { app: 'web' } }, egress: [{}] })]);
    assert.deepEqual(mapKeys(rs, 'ingress'), ['10.42.0.2']);
    assert.deepEqual(mapKeys(rs, 'egress'), ['10.42.0.2']);
    const egress = chainOf(rs, 'egress', '10.42.0.2') ?? [];
    assert.deepEqual(egress[0]?.expr, [{ return: null }], 'an empty rule allows everything');
  });

  it('resolves a podSelector peer to running pods of the namespace on any node', () => {
    const rs = build([
      np('p', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] } as never],
      }),
    ]);
    const peer = [...rs.sets.entries()].find(([n]) => n.startsWith('peer-'));
    assert.ok(peer);
    assert.deepEqual([...peer[1].elements].sort(), ['10.42.0.3', '10.42.1.4']);
  });

  it('namespaceSelector with podSelector selects across namespaces by namespace labels', () => {
    const rs = build([
      np('p', {
        podSelector: {},
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
    const peer = [...rs.sets.entries()].find(([n]) => n.startsWith('peer-'));
    assert.deepEqual(peer?.[1].elements, ['10.42.1.5']);
  });

  it('multiple policies are additive in one chain per pod', () => {
    const rs = build([
      np('a', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }),
      np('b', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ ports: [{ port: 'http' }, { protocol: 'UDP', port: 1000, endPort: 1010 }] }],
      }),
    ]);
    const rules = chainOf(rs, 'ingress', '10.42.0.2') ?? [];
    assert.equal(rules.length, 5);
    assert.match(json(rules[1]), /"tcp".*80.*accept/);
    assert.match(json(rules[2]), /"set":\[8080\]/, 'named port resolved on the selected pod');
    assert.match(json(rules[3]), /"udp".*"range":\[1000,1010\]/);
    assert.equal((chainOf(rs, 'ingress', '10.42.0.3') ?? []).length, 3);
  });

  it('drops a named port the pod does not have', () => {
    const rs = build([np('p', { podSelector: {}, ingress: [{ ports: [{ port: 'nope' }] }] })]);
    assert.equal((chainOf(rs, 'ingress', '10.42.0.2') ?? []).length, 2);
  });

  it('egress named ports match the destination pod', () => {
    const rs = build([
      np('p', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'http' }] }],
      }),
    ]);
    const named = [...rs.sets.entries()].find(([n]) => n.startsWith('named-'));
    assert.ok(named);
    assert.deepEqual(named[1].type, ['ipv4_addr', 'inet_proto', 'inet_service']);
    assert.equal(named[1].elements.length, 4, 'running, not host-network, IPv4, with the port');
  });

  it('ipBlock: prefix with excepts, host bits cleared, bad CIDR reported', () => {
    const warnings: string[] = [];
    const rs = build(
      [
        np('p', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [
            {
              _from: [
                { ipBlock: { cidr: '10.1.2.3/8', except: ['10.9.0.0/16'] } },
                { ipBlock: { cidr: 'bogus' } },
                { ipBlock: { cidr: 'fd00::/8' } },
              ],
            },
          ],
        }),
      ],
      'ip',
      warnings,
    );
    const rules = chainOf(rs, 'ingress', '10.42.0.2') ?? [];
    assert.equal(rules.length, 3);
    assert.match(json(rules[1]), /"prefix":\{"addr":"10.0.0.0","len":8\}.*"!=".*10.9.0.0/);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /invalid ipBlock cidr "bogus"/);
  });

  it('a policy with a bad selector isolates but allows nothing, with a warning', () => {
    const warnings: string[] = [];
    const rs = build(
      [
        np('p', {
          podSelector: {},
          ingress: [{ _from: [{ podSelector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }] }],
        }),
      ],
      'ip',
      warnings,
    );
    assert.match(warnings[0] ?? '', /app\/p: .*not a valid label selector operator/);
    assert.equal((chainOf(rs, 'ingress', '10.42.0.2') ?? []).length, 2);
  });

  it('builds each family from its own addresses', () => {
    const rs = build([np('deny', { podSelector: { matchLabels: { app: 'web' } } })], 'ip6');
    assert.equal(rs.family, 'ip6');
    assert.deepEqual(mapKeys(rs, 'ingress'), ['fd00::7']);
    assert.equal(rs.sets.get('ingress')?.type, 'ipv6_addr');
  });

  it('a change of peers is a partial update of the peer set only', () => {
    const policy = np('p', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ _from: [{ podSelector: {} }] }],
    });
    const before = build([policy]);
    pods.push(pod('new', '10.42.0.9', {}));
    const after = build([policy]);
    pods.pop();
    const diff = diffCommands(before, after);
    assert.ok(diff);
    assert.equal(diff.length, 1);
    assert.match(json(diff[0]), /"add":\{"element".*10.42.0.9/);
  });

  it('an address reused by a new pod belongs to it, not to the terminating one', () => {
    const old = pod('old', '10.42.0.8', { app: 'web' });
    old.metadata!.deletionTimestamp = new Date();
    pods.push(old, pod('fresh', '10.42.0.8', { app: 'other' }));
    const rs = build([np('deny', { podSelector: { matchLabels: { app: 'web' } } })]);
    const all = build([np('deny', { podSelector: {} })]);
    pods.splice(-2);
    assert.deepEqual(mapKeys(rs, 'ingress'), ['10.42.0.2'], 'the fresh pod is not selected');
    assert.deepEqual(mapKeys(all, 'ingress'), ['10.42.0.2', '10.42.0.3', '10.42.0.8'], 'no duplicate key');
    const fresh = chainOf(all, 'ingress', '10.42.0.8');
    assert.ok(fresh && rs.chains.size < all.chains.size);
  });

  it('normalizeCidr', () => {
    assert.equal(normalizeCidr('192.168.1.77/24'), '192.168.1.0/24');
    assert.equal(normalizeCidr('0.0.0.0/0'), '0.0.0.0/0');
    assert.equal(normalizeCidr('10.0.0.1/32'), '10.0.0.1/32');
    assert.equal(normalizeCidr('300.0.0.1/32'), null);
    assert.equal(normalizeCidr('10.0.0.1'), null);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { parseResolvConf, podDns, type SandboxFacts, sandboxConfig } from './sandbox-config.ts';

const facts: SandboxFacts = {
  agentDir: '/data/agent',
  cgroupParent: '/skiff-n1',
  clusterDns: ['10.43.0.10'],
  clusterDomain: 'cluster.local',
  hostDns: parseResolvConf('# host\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0 ndots:2\n'),
};

const pod = (spec: Partial<NonNullable<V1Pod['spec']>> = {}): V1Pod => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { a: 'b' } },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

test('resolv.conf parsing', () => {
  assert.deepEqual(facts.hostDns, {
    servers: ['192.0.2.53'],
    searches: ['corp.example'],
    options: ['edns0', 'ndots:2'],
  });
});

test('sandbox config of an ordinary pod', () => {
  const c = sandboxConfig(pod(), 0, facts);
  assert.deepEqual(c.metadata, { name: 'web', uid: 'u-1', namespace: 'shop', attempt: 0 });
  assert.equal(c.hostname, 'web');
  assert.equal(c.logDirectory, '/data/agent/logs/shop_web_u-1');
  assert.deepEqual(c.dnsConfig, {
    servers: ['10.43.0.10'],
    searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
    options: ['ndots:5'],
  });
  assert.deepEqual(c.labels, {
    app: 'web',
    'io.kubernetes.pod.name': 'web',
    'io.kubernetes.pod.namespace': 'shop',
    'io.kubernetes.pod.uid': 'u-1',
  });
  assert.deepEqual(c.annotations, { a: 'b' });
  assert.equal(c.linux.cgroupParent, '/skiff-n1/podu-1');
  assert.deepEqual(c.linux.securityContext.namespaceOptions, {
    network: 'POD',
    pid: 'CONTAINER',
    ipc: 'POD',
  });
  assert.deepEqual(c.portMappings, []);
});

test('host network: no hostname, node namespaces, host DNS', () => {
  const c = sandboxConfig(pod({ hostNetwork: true, hostPID: true, hostIPC: true }), 1, facts);
  assert.equal(c.hostname, '');
  assert.deepEqual(c.linux.securityContext.namespaceOptions, { network: 'NODE', pid: 'NODE', ipc: 'NODE' });
  assert.deepEqual(c.dnsConfig?.servers, ['192.0.2.53']);
  const withHostNet = podDns(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), facts);
  assert.deepEqual(withHostNet.servers, ['10.43.0.10']);
});

test('dnsPolicy None takes the pod dnsConfig; options merge by name', () => {
  const none = podDns(
    pod({
      dnsPolicy: 'None',
      dnsConfig: {
        nameservers: ['1.1.1.1'],
        searches: ['x.example'],
        options: [{ name: 'ndots', value: '1' }],
      },
    }),
    facts,
  );
  assert.deepEqual(none, { servers: ['1.1.1.1'], searches: ['x.example'], options: ['ndots:1'] });
  const merged = podDns(
    pod({ dnsConfig: { options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }),
    facts,
  );
  assert.deepEqual(merged.options, ['ndots:2', 'edns0']);
});

test('shareProcessNamespace, sysctls, run-as, host ports', () => {
  const c = sandboxConfig(
    pod({
      shareProcessNamespace: true,
      securityContext: {
        runAsUser: 1000,
        fsGroup: 2000,
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      },
      containers: [
        {
          name: 'c',
          image: 'busybox',
          ports: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 53, protocol: 'UDP' },
          ],
        },
      ],
    }),
    0,
    facts,
  );
  assert.equal(c.linux.securityContext.namespaceOptions.pid, 'POD');
  assert.deepEqual(c.linux.securityContext.runAsUser, { value: 1000 });
  assert.deepEqual(c.linux.securityContext.supplementalGroups, [2000]);
  assert.deepEqual(c.linux.sysctls, { 'net.ipv4.ip_unprivileged_port_start': '0' });
  assert.deepEqual(c.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
});

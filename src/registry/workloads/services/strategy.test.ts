import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('', 'services');
const svc: KubeObject = {
  metadata: { name: 'web' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
};

test('defaults: ClusterIP, no affinity, Cluster traffic, TCP, targetPort = port, single-stack IPv4', () => {
  const { obj, errors } = create(strategy, svc);
  assert.deepEqual(errors, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.equal(spec.type, 'ClusterIP');
  assert.equal(spec.sessionAffinity, 'None');
  assert.equal(spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal(spec.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(spec.ipFamilies, ['IPv4']);
  assert.deepEqual(obj.status, { loadBalancer: {} });
  assert.equal(obj.metadata.generation, undefined, 'Services have no generation');
  const nodePort = create(
    strategy,
    edited(svc, (s) => {
      s.spec.type = 'NodePort';
    }),
  ).obj.spec as Record<string, unknown>;
  assert.equal(nodePort.externalTrafficPolicy, 'Cluster');
  const headless = create(
    strategy,
    edited(svc, (s) => {
      s.spec.clusterIP = 'None';
      delete s.spec.selector;
    }),
  ).obj.spec as Record<string, unknown>;
  assert.deepEqual(headless.clusterIPs, ['None']);
  assert.equal(headless.ipFamilyPolicy, 'RequireDualStack');
});

test('ports need names when there are several, unique, in range; types are an enum', () => {
  const bad = edited(svc, (s) => {
    s.spec.ports = [{ port: 80 }, { name: 'b', port: 70000 }, { name: 'b', port: 81, protocol: 'ICMP' }];
    s.spec.type = 'Magic';
  });
  assert.deepEqual(create(strategy, bad).errors, [
    'spec.ports[0].name: Required value',
    'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[2].name: Duplicate value: "b"',
    'spec.ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
});

test('ExternalName needs a DNS name; nodePorts are not for ClusterIP services', () => {
  const external = edited(svc, (s) => {
    s.spec = { type: 'ExternalName', externalName: 'Not_A_Host' };
  });
  assert.deepEqual(create(strategy, external).errors, [
    "spec.externalName: Invalid value: \"Not_A_Host\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(
    create(
      strategy,
      edited(svc, (s) => {
        s.spec = { type: 'ExternalName' };
      }),
    ).errors,
    ['spec.externalName: Required value'],
  );
  const pinned = edited(svc, (s) => {
    s.spec.ports[0].nodePort = 30080;
  });
  assert.deepEqual(create(strategy, pinned).errors, [
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ]);
});

test('clusterIP stays once set; an update that leaves it out keeps it; ExternalName drops it', () => {
  const old = create(
    strategy,
    edited(svc, (s) => {
      s.spec.clusterIP = '10.43.0.5';
    }),
  ).obj;
  assert.deepEqual((old.spec as { clusterIPs: string[] }).clusterIPs, ['10.43.0.5']);
  const moved = edited(old, (s) => {
    s.spec.clusterIP = '10.43.0.6';
    s.spec.clusterIPs = ['10.43.0.6'];
  });
  assert.deepEqual(update(strategy, old, moved).errors, [
    'spec.clusterIPs[0]: Invalid value: []string{"10.43.0.6"}: may not change once set',
  ]);
  const omitted = update(
    strategy,
    old,
    edited(old, (s) => {
      delete s.spec.clusterIP;
      delete s.spec.clusterIPs;
    }),
  );
  assert.deepEqual(omitted.errors, []);
  assert.equal((omitted.obj.spec as { clusterIP: string }).clusterIP, '10.43.0.5');
  const renamed = update(
    strategy,
    old,
    edited(old, (s) => {
      s.spec.type = 'ExternalName';
      s.spec.externalName = 'db.example.com';
    }),
  );
  assert.deepEqual(renamed.errors, []);
  const spec = renamed.obj.spec as Record<string, unknown>;
  assert.equal(spec.clusterIP, undefined);
  assert.equal(spec.ipFamilies, undefined);
});

test('spec.clusterIP and spec.type are selectable', () => {
  const { obj } = create(
    strategy,
    edited(svc, (s) => {
      s.spec.clusterIP = 'None';
    }),
  );
  const fields = strategy.selectableFields(obj);
  assert.equal(fields['spec.clusterIP'], 'None');
  assert.equal(fields['spec.type'], 'ClusterIP');
  assert.equal(strategy.allowCreateOnUpdate, true);
});

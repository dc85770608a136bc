import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { ServiceAllocator } from './service-allocator.ts';

const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: { ipFamilies: ['IPv4'], ...spec },
});
const allocator = () =>
  new ServiceAllocator({ serviceCidr: '10.43.0.0/16', reservedIPs: ['10.43.0.1', '10.43.0.10'] });

function invalid(fn: () => void, message: string) {
  assert.throws(fn, (e) => {
    assert.ok(isStatusError(e));
    assert.equal(e.code, 422);
    assert.equal(e.message, message);
    return true;
  });
}

test('a ClusterIP Service gets an address; a requested one is checked', () => {
  const a = allocator();
  const s = svc('web', { type: 'ClusterIP', ports: [{ port: 80 }] });
  a.allocateCreate(s);
  const ip = (s.spec as { clusterIP: string }).clusterIP;
  assert.match(ip, /^10\.43\.\d+\.\d+$/);
  assert.deepEqual((s.spec as { clusterIPs: string[] }).clusterIPs, [ip]);
  a.observe('default/web', s);
  invalid(
    () => a.allocateCreate(svc('dup', { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip] })),
    `Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`,
  );
  invalid(
    () =>
      a.allocateCreate(svc('out', { type: 'ClusterIP', clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'] })),
    'Service "out" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16',
  );
  const dns = svc('kube-dns', { type: 'ClusterIP', clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'] });
  a.allocateCreate(dns);
});

test('headless and ExternalName Services get no address', () => {
  const a = allocator();
  const headless = svc('h', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });
  a.allocateCreate(headless);
  assert.equal((headless.spec as { clusterIP: string }).clusterIP, 'None');
  const ext = {
    metadata: { name: 'e', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'x.example' },
  };
  a.allocateCreate(ext);
  assert.equal((ext.spec as { clusterIP?: string }).clusterIP, undefined);
  assert.equal(a.ips.range.used(), 0);
});

test('NodePort Services get ports; duplicates and out-of-range requests are refused', () => {
  const a = allocator();
  const s = svc('np', {
    type: 'NodePort',
    ports: [
      { name: 'dns', port: 53, protocol: 'TCP' },
      { name: 'dns-udp', port: 53, protocol: 'UDP' },
      { name: 'web', port: 80, protocol: 'TCP', nodePort: 30080 },
    ],
  });
  a.allocateCreate(s);
  const ports = (s.spec as { ports: { nodePort: number }[] }).ports;
  assert.equal(ports[0]!.nodePort, ports[1]!.nodePort, 'one port number, one NodePort');
  assert.equal(ports[2]!.nodePort, 30080);
  a.observe('default/np', s);
  invalid(
    () => a.allocateCreate(svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })),
    'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
  );
  invalid(
    () => a.allocateCreate(svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })),
    'Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
});

test('a failed admission gives back what it took', () => {
  const a = allocator();
  a.observe('default/taken', svc('taken', { type: 'NodePort', ports: [{ port: 1, nodePort: 30001 }] }));
  const before = a.ips.range.used();
  assert.throws(() =>
    a.allocateCreate(svc('x', { type: 'NodePort', ports: [{ port: 2 }, { port: 3, nodePort: 30001 }] })),
  );
  assert.equal(a.ips.range.used(), before);
  assert.equal(a.ports.range.used(), 1);
});

test('type changes: ports released once stored, new ones allocated on update', () => {
  const a = allocator();
  const s = svc('t', { type: 'NodePort', ports: [{ port: 80 }] });
  a.allocateCreate(s);
  a.observe('default/t', s);
  assert.equal(a.ports.range.used(), 1);
  const asClusterIP = structuredClone(s);
  (asClusterIP.spec as Record<string, unknown>).type = 'ClusterIP';
  delete (asClusterIP.spec as { ports: Record<string, unknown>[] }).ports[0]!.nodePort;
  a.allocateUpdate(asClusterIP, s);
  a.observe('default/t', asClusterIP);
  assert.equal(a.ports.range.used(), 0);
  const back = structuredClone(asClusterIP);
  (back.spec as Record<string, unknown>).type = 'LoadBalancer';
  (back.spec as Record<string, unknown>).externalTrafficPolicy = 'Local';
  a.allocateUpdate(back, asClusterIP);
  const spec = back.spec as { ports: { nodePort: number }[]; healthCheckNodePort: number };
  assert.ok(spec.ports[0]!.nodePort >= 30000);
  assert.ok(spec.healthCheckNodePort >= 30000);
});

test('an IPv6 family is refused on this single-stack cluster', () => {
  invalid(
    () => allocator().allocateCreate(svc('v6', { type: 'ClusterIP', ipFamilies: ['IPv6'] })),
    'Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster',
  );
});

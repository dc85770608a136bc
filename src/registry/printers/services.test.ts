import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { table } from './services.ts';

const now = new Date('2024-05-01T12:00:00Z');

function service(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:15:00Z' },
    spec,
    status,
  };
}

describe('services table', () => {
  it('has upstream columns', () => {
    assert.deepEqual(
      table.columns.map((c) => `${c.name}:${c.priority}`),
      ['Name:0', 'Type:0', 'Cluster-IP:0', 'External-IP:0', 'Port(s):0', 'Age:0', 'Selector:1'],
    );
  });

  it('prints a ClusterIP service', () => {
    const svc = service({
      type: 'ClusterIP',
      clusterIP: '10.43.0.10',
      clusterIPs: ['10.43.0.10'],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
      selector: { tier: 'front', app: 'web' },
    });
    assert.deepEqual(table.cells(svc, now), [
      'web',
      'ClusterIP',
      '10.43.0.10',
      '<none>',
      '53/UDP,53/TCP',
      '45m',
      'app=web,tier=front',
    ]);
  });

  it('prints node ports and external IPs', () => {
    const svc = service({
      type: 'NodePort',
      clusterIPs: ['10.43.0.20'],
      externalIPs: ['203.0.113.5'],
      ports: [
        { port: 80, nodePort: 30080, protocol: 'TCP' },
        { port: 443, nodePort: 30443, protocol: 'TCP' },
      ],
    });
    assert.deepEqual(table.cells(svc, now).slice(3), [
      '203.0.113.5',
      '80:30080/TCP,443:30443/TCP',
      '45m',
      '<none>',
    ]);
  });

  it('prints load balancers as pending until they have ingress points', () => {
    const spec = {
      type: 'LoadBalancer',
      clusterIPs: ['10.43.0.30'],
      ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }],
    };
    assert.equal(table.cells(service(spec), now)[3], '<pending>');
    const status = {
      loadBalancer: {
        ingress: [{ ip: '192.168.1.20' }, { hostname: 'lb.example.com' }, { ip: '192.168.1.11' }],
      },
    };
    assert.equal(table.cells(service(spec, status), now)[3], '192.168.1.11,192.168.1.20,lb.example.com');
    const withExternal = service({ ...spec, externalIPs: ['203.0.113.9'] }, status);
    assert.equal(table.cells(withExternal, now)[3], '192.168.1.11,192.168.1.20,lb.example.com,203.0.113.9');
  });

  it('prints headless and ExternalName services', () => {
    const headless = service({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });
    assert.deepEqual(table.cells(headless, now).slice(1, 5), ['ClusterIP', 'None', '<none>', '<none>']);
    const external = service({
      type: 'ExternalName',
      externalName: 'db.example.com',
      ports: [{ port: 5432, protocol: 'TCP' }],
    });
    assert.deepEqual(table.cells(external, now).slice(1, 5), [
      'ExternalName',
      '<none>',
      'db.example.com',
      '5432/TCP',
    ]);
  });
});

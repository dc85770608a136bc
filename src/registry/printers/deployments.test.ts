import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { table } from './deployments.ts';

const now = new Date('2024-05-01T12:00:00Z');

function deployment(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-04-30T09:30:00Z' },
    spec: {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.27' },
            { name: 'sidecar', image: 'busybox' },
          ],
        },
      },
      ...spec,
    },
    status,
  };
}

describe('deployments table', () => {
  it('has upstream columns', () => {
    assert.deepEqual(
      table.columns.map((c) => `${c.name}:${c.type}:${c.priority}`),
      [
        'Name:string:0',
        'Ready:string:0',
        'Up-to-date:string:0',
        'Available:string:0',
        'Age:string:0',
        'Containers:string:1',
        'Images:string:1',
        'Selector:string:1',
      ],
    );
  });

  it('prints readiness, rollout counts, containers and selector', () => {
    const d = deployment(
      {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['b', 'a'] },
            { key: 'canary', operator: 'DoesNotExist' },
          ],
        },
      },
      { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    );
    assert.deepEqual(table.cells(d, now), [
      'web',
      '2/3',
      3,
      2,
      '26h',
      'app,sidecar',
      'nginx:1.27,busybox',
      'app=web,!canary,tier in (a,b)',
    ]);
  });

  it('defaults replicas to 1 and status counts to 0', () => {
    const d = deployment({ selector: { matchLabels: { app: 'web' } } });
    assert.deepEqual(table.cells(d, now).slice(1, 4), ['0/1', 0, 0]);
  });

  it('prints empty and invalid selectors as upstream does', () => {
    assert.equal(table.cells(deployment({ selector: {} }), now)[7], '');
    const bad = deployment({
      selector: { matchExpressions: [{ key: 'app', operator: 'Near', values: ['x'] }] },
    });
    assert.equal(table.cells(bad, now)[7], '<invalid>');
  });
});

/** Fixtures for the apply tests: Deployments, an apply shorthand and ownership probes. */
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.ts';
import { ApplyConflictError, type ApplyOptions, serverSideApply } from './apply.ts';
import { fromFieldsV1 } from './fieldsv1.ts';
import type { PathElement } from './path.ts';

export const T1 = '2024-05-01T10:00:00Z';
export const T2 = '2024-05-01T11:00:00Z';
export const T3 = '2024-05-01T12:00:00Z';

export type Obj = Record<string, unknown>;

export function deployment(spec: Obj, labels: Record<string, string> = { app: 'web' }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  };
}

export const container = (name: string, extra: Obj = {}) => ({ name, image: `${name}:1`, ...extra });
export const template = (...containers: Obj[]) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers },
});

export function apply(
  current: KubeObject | undefined,
  cfg: KubeObject,
  manager: string,
  now: string,
  extra: Partial<ApplyOptions> = {},
): KubeObject {
  const opts = { manager, force: false, group: 'apps', version: 'v1', kind: 'Deployment', now, ...extra };
  return serverSideApply(current, cfg, opts).object;
}

/** Stands in for the server's storage: uid and resourceVersion, which the fieldmanager ignores. */
export const stored = (o: KubeObject): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, uid: 'u1', resourceVersion: '1' },
});

export const entries = (o: KubeObject) => (o.metadata.managedFields ?? []) as Obj[];
export const entry = (o: KubeObject, manager: string) => entries(o).find((e) => e.manager === manager);

/** Whether manager's entry holds the path: field names, or `k:{...}` for list keys. */
export function owns(o: KubeObject, manager: string, ...path: string[]): boolean {
  const pes = path.map(
    (p): PathElement => (p.startsWith('k:') ? { key: Object.entries(JSON.parse(p.slice(2))) } : { field: p }),
  );
  return fromFieldsV1(entry(o, manager)?.fieldsV1 ?? {}).has(pes);
}

export const containerNames = (o: KubeObject) =>
  (o.spec as { template: { spec: { containers: Obj[] } } }).template.spec.containers.map((c) => c.name);

export function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApplyConflictError, String(e));
    return e;
  }
  assert.fail('expected a conflict');
}

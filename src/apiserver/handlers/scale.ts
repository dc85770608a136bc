import { isObject, type KubeObject } from '../../api/object.ts';
import { fromLabelSelectorObject } from '../../api/selectors/labels.ts';
import { statusErrors } from '../../api/status.ts';
import type { ScaleAccess } from '../../registry/store.ts';
import { decodeObjectBody, mediaType, parseStructured, readBody } from '../body.ts';
import { type Reply, type ResourceRequest, writeOptions } from '../context.ts';
import { patchers } from './patch.ts';

type Workload = KubeObject & {
  spec?: { replicas?: number; selector?: unknown };
  status?: { replicas?: number };
};

/** The autoscaling/v1 Scale view of a Deployment, ReplicaSet or StatefulSet. */
export function scaleOf(obj: Workload): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  let selector = '';
  try {
    selector = fromLabelSelectorObject(obj.spec?.selector as never).toString();
  } catch {
    selector = '';
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 1 },
    status: { replicas: obj.status?.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

function replicasOf(scale: unknown): number {
  const spec = isObject(scale) && isObject(scale.spec) ? scale.spec : {};
  const replicas = spec.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw statusErrors.badRequest(`invalid replicas in Scale: ${JSON.stringify(replicas)}`);
  }
  return replicas;
}

/** spec.replicas/status.replicas, unless the store keeps them elsewhere (custom resources). */
const workloadScale: ScaleAccess = {
  scaleOf: (obj) => scaleOf(obj as Workload),
  withReplicas: (obj, replicas) => ({ ...obj, spec: { ...(isObject(obj.spec) ? obj.spec : {}), replicas } }),
};

export async function handleScale(r: ResourceRequest): Promise<Reply> {
  const { namespace, name, verb } = r.info;
  const view = r.store.scale ?? workloadScale;
  if (verb === 'get') return { status: 200, body: view.scaleOf(await r.store.get(namespace, name!)) };
  if (verb !== 'update' && verb !== 'patch')
    throw statusErrors.methodNotSupported(r.store.groupResource, verb);
  const raw = await readBody(r.req);
  const type = mediaType(r.req.headers['content-type']) || 'application/json';
  let wanted: (current: Workload) => { replicas: number; resourceVersion?: string };
  if (verb === 'update') {
    // kubectl scale --current-replicas sends no Content-Type: JSON.
    const body = decodeObjectBody(raw, type);
    const rv = isObject(body.metadata) ? (body.metadata.resourceVersion as string | undefined) : undefined;
    wanted = () => ({ replicas: replicasOf(body), ...(rv ? { resourceVersion: rv } : {}) });
  } else {
    const patcher = patchers[type];
    if (!patcher) throw statusErrors.unsupportedMediaType(type);
    const patch = parseStructured(raw, type);
    wanted = (current) => {
      const scale = view.scaleOf(current);
      const patched = patcher(scale, patch, {
        ...r.store.info,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
      }) as KubeObject;
      const rv = patched.metadata?.resourceVersion;
      return {
        replicas: replicasOf(patched),
        ...(rv && rv !== scale.metadata.resourceVersion ? { resourceVersion: rv } : {}),
      };
    };
  }
  const { object } = await r.store.guaranteedUpdate(
    namespace,
    name!,
    (current) => {
      if (!current) throw statusErrors.notFound(r.store.groupResource, name!);
      const w = wanted(current as Workload);
      const updated = view.withReplicas(current, w.replicas);
      return { ...updated, metadata: { ...updated.metadata, resourceVersion: w.resourceVersion } };
    },
    writeOptions(r),
  );
  return { status: 200, body: view.scaleOf(object) };
}

import { apiVersionOf, isObject, type KubeObject } from '../../api/object.ts';
import { statusErrors } from '../../api/status.ts';
import type { DeleteOptions } from '../../registry/store.ts';
import { parseStructured, readBody } from '../body.ts';
import { dryRun, type Reply, type ResourceRequest } from '../context.ts';
import { buildFilter } from '../filter.ts';
import { intParam } from '../query.ts';

const policies = new Set(['Orphan', 'Background', 'Foreground']);

/** DeleteOptions from the body (kubectl sends one) and the query string. */
async function deleteOptions(r: ResourceRequest): Promise<DeleteOptions> {
  const raw = await readBody(r.req);
  const body = raw.length > 0 ? parseStructured(raw, 'application/json') : {};
  if (!isObject(body)) throw statusErrors.badRequest('DeleteOptions must be an object');
  const q = r.query;
  let policy = (q.get('propagationPolicy') ?? body.propagationPolicy) as string | undefined;
  const orphan = q.get('orphanDependents') ?? body.orphanDependents;
  if (policy === undefined && orphan !== undefined && orphan !== null) {
    policy = orphan === true || orphan === 'true' ? 'Orphan' : 'Background';
  }
  if (policy !== undefined && !policies.has(policy)) {
    throw statusErrors.badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}`);
  }
  const grace = intParam(q, 'gracePeriodSeconds') ?? (body.gracePeriodSeconds as number | undefined);
  const pre = isObject(body.preconditions) ? body.preconditions : undefined;
  const dry = dryRun(q) || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
  return {
    ...(policy ? { propagationPolicy: policy as DeleteOptions['propagationPolicy'] } : {}),
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(pre ? { preconditions: pre as DeleteOptions['preconditions'] } : {}),
    dryRun: dry,
  };
}

/** Resources whose DELETE answers with the object rather than a Status (as upstream). */
const returnsObject = new Set([
  '/pods',
  '/namespaces',
  '/services',
  'apiextensions.k8s.io/customresourcedefinitions',
]);

function successStatus(r: ResourceRequest, obj: KubeObject) {
  const { info } = r.store;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: obj.metadata.name,
      ...(info.group ? { group: info.group } : {}),
      kind: info.plural,
      uid: obj.metadata.uid,
    },
  };
}

export async function handleDelete(r: ResourceRequest): Promise<Reply> {
  if (r.info.subresource !== undefined)
    throw statusErrors.methodNotSupported(r.store.groupResource, 'delete');
  const options = await deleteOptions(r);
  const { object, deleted } = await r.store.delete(r.info.namespace, r.info.name!, options);
  const id = `${r.store.info.group}/${r.store.info.plural}`;
  if (!deleted || returnsObject.has(id)) return { status: 200, body: object };
  return { status: 200, body: successStatus(r, object) };
}

export async function handleDeleteCollection(r: ResourceRequest): Promise<Reply> {
  const options = await deleteOptions(r);
  const { items, resourceVersion } = await r.store.list(r.info.namespace, {
    filter: buildFilter(r.store, r.query),
  });
  const out: KubeObject[] = [];
  for (const item of items) {
    try {
      out.push((await r.store.delete(item.metadata.namespace, item.metadata.name!, options)).object);
    } catch (e) {
      // Gone meanwhile: that is what was asked for.
      if (!(e instanceof Error && 'code' in e && (e as { code: number }).code === 404)) throw e;
    }
  }
  const { info } = r.store;
  return {
    status: 200,
    body: {
      kind: `${info.kind}List`,
      apiVersion: apiVersionOf(info.group, info.version),
      metadata: { resourceVersion },
      items: out,
    },
  };
}

import { apiVersionOf } from '../../api/object.ts';
import type { Reply, ResourceRequest } from '../context.ts';
import { buildFilter } from '../filter.ts';
import { intParam } from '../query.ts';

export async function handleList(r: ResourceRequest): Promise<Reply> {
  const q = r.query;
  const limit = intParam(q, 'limit');
  const result = await r.store.list(r.info.namespace, {
    filter: buildFilter(r.store, q),
    ...(limit !== undefined ? { limit } : {}),
    ...(q.get('continue') ? { continue: q.get('continue')! } : {}),
    ...(q.has('resourceVersion') ? { resourceVersion: q.get('resourceVersion')! } : {}),
    ...(q.has('resourceVersionMatch') ? { resourceVersionMatch: q.get('resourceVersionMatch')! } : {}),
  });
  const { info } = r.store;
  return {
    status: 200,
    body: {
      kind: `${info.kind}List`,
      apiVersion: apiVersionOf(info.group, info.version),
      metadata: {
        resourceVersion: result.resourceVersion,
        ...(result.continue ? { continue: result.continue } : {}),
      },
      items: result.items,
    },
  };
}

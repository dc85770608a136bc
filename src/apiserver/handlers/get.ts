import type { Reply, ResourceRequest } from '../context.ts';

export async function handleGet(r: ResourceRequest): Promise<Reply> {
  return { status: 200, body: await r.store.get(r.info.namespace, r.info.name!) };
}

import { statusErrors } from '../../api/status.ts';
import { decodeObjectBody, readBody } from '../body.ts';
import { decodeTarget, type Reply, type ResourceRequest, writeOptions } from '../context.ts';
import { checkObjectBody } from './create.ts';

export async function handleUpdate(r: ResourceRequest): Promise<Reply> {
  const sub = r.info.subresource;
  if (sub !== undefined && sub !== 'status' && sub !== 'finalize') {
    throw statusErrors.methodNotSupported(r.store.groupResource, 'update');
  }
  const body = decodeObjectBody(await readBody(r.req), r.req.headers['content-type'], decodeTarget(r));
  const obj = checkObjectBody(body, r.store.info);
  const { object, created } = await r.store.guaranteedUpdate(r.info.namespace, r.info.name!, () => obj, {
    ...writeOptions(r),
    ...(sub ? { subresource: sub } : {}),
  });
  return { status: created ? 201 : 200, body: object };
}

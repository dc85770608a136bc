import { StatusError, statusErrors } from '../api/status.ts';
import type { Registry } from '../registry/registry.ts';
import type { Reply, ResourceRequest } from './context.ts';
import { handleBinding } from './handlers/binding.ts';
import { handleCreate } from './handlers/create.ts';
import { handleDelete, handleDeleteCollection } from './handlers/delete.ts';
import { handleEviction } from './handlers/eviction.ts';
import { handleGet } from './handlers/get.ts';
import { handleList } from './handlers/list.ts';
import { handlePatch } from './handlers/patch.ts';
import { handleScale } from './handlers/scale.ts';
import { handleStreaming, streamingSubresources } from './handlers/streaming.ts';
import { handleUpdate } from './handlers/update.ts';
import { handleWatch } from './handlers/watch.ts';
import type { RequestInfo } from './request-info.ts';

const handlers: Record<string, (r: ResourceRequest) => Promise<Reply>> = {
  get: handleGet,
  list: handleList,
  watch: handleWatch,
  create: handleCreate,
  update: handleUpdate,
  patch: handlePatch,
  delete: handleDelete,
  deletecollection: handleDeleteCollection,
};

/** Finds the store a request is for and checks the verb and subresource are served there. */
export function resolve(
  registry: Registry,
  info: RequestInfo,
  extra: { token?: (r: ResourceRequest) => Promise<Reply> } = {},
) {
  const store = registry.find(info.group, info.version, info.resource);
  if (!store) throw statusErrors.notFoundPath();
  const sub = info.subresource;
  const subVerb = info.verb === 'get' || info.verb === 'update' || info.verb === 'patch';
  const streaming =
    sub !== undefined && streamingSubresources.has(sub) && (info.verb === 'get' || info.verb === 'create');
  const served =
    streaming ||
    ((sub === 'status' || sub === 'scale') && subVerb) ||
    (sub === 'finalize' && info.verb === 'update') ||
    (sub === 'binding' && info.verb === 'create') ||
    (sub === 'eviction' && info.verb === 'create') ||
    (sub === 'token' && info.verb === 'create' && extra.token !== undefined);
  if (sub !== undefined && !(served && store.info.subresources.includes(sub))) {
    throw statusErrors.notFoundPath();
  }
  if (!store.info.namespaced && info.namespace !== undefined) throw statusErrors.notFoundPath();
  if (store.info.namespaced && info.namespace === undefined && info.name !== undefined) {
    throw statusErrors.notFoundPath();
  }
  const bySubresource: Record<string, (r: ResourceRequest) => Promise<Reply>> = {
    scale: handleScale,
    binding: (r) => handleBinding(r, r.info.name),
    eviction: (r) => handleEviction(r, registry),
    ...(extra.token ? { token: extra.token } : {}),
  };
  const handler = streaming
    ? handleStreaming
    : sub
      ? (bySubresource[sub] ?? handlers[info.verb])
      : handlers[info.verb];
  if (!handler || (!store.info.verbs.includes(info.verb) && info.subresource === undefined)) {
    throw new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
  if (info.verb === 'create' && store.info.namespaced && info.namespace === undefined) {
    throw statusErrors.notFoundPath();
  }
  return { store, handler };
}

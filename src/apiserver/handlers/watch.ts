import { apiVersionOf } from '../../api/object.ts';
import { isStatusError, type StatusError } from '../../api/status.ts';
import { type ObjectWatch, type WatchEvent, watchResource } from '../../registry/watch.ts';
import type { Reply, ResourceRequest } from '../context.ts';
import { buildFilter } from '../filter.ts';
import { boolParam, intParam } from '../query.ts';
import { type Render, renderer } from '../render.ts';

const bookmarkIntervalMs = 60_000;
const defaultTimeoutSeconds = 1800;

/**
 * A watch: 200 with headers flushed at once (kubectl wait needs them before any event), then
 * one JSON event per line until the client leaves, the timeout ends it, or it falls behind.
 */
export async function handleWatch(r: ResourceRequest): Promise<Reply> {
  const q = r.query;
  const filter = buildFilter(r.store, q);
  const name = r.info.name;
  const byName = name
    ? {
        matches: (o: Parameters<NonNullable<typeof filter>['matches']>[0]) =>
          o.metadata.name === name && (!filter || filter.matches(o)),
      }
    : filter;
  const render = renderer(r);
  const { res } = r;
  let watch: ObjectWatch | undefined;
  let failure: StatusError | undefined;
  try {
    watch = await watchResource(r.store, r.info.namespace, {
      ...(byName ? { filter: byName } : {}),
      ...(q.has('resourceVersion') ? { resourceVersion: q.get('resourceVersion')! } : {}),
      sendInitialEvents: boolParam(q, 'sendInitialEvents'),
    });
  } catch (e) {
    if (!isStatusError(e) || e.code !== 410) throw e;
    failure = e;
  }
  res.writeHead(200, { 'Content-Type': render.contentType, 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  if (failure || !watch) {
    res.end(`${JSON.stringify({ type: 'ERROR', object: failure!.toStatus() })}\n`);
    return 'sent';
  }
  await stream(r, watch, render);
  return 'sent';
}

async function stream(r: ResourceRequest, watch: ObjectWatch, render: Render): Promise<void> {
  const { res, store } = r;
  const bookmarks = boolParam(r.query, 'allowWatchBookmarks');
  const timeout = (intParam(r.query, 'timeoutSeconds') ?? defaultTimeoutSeconds) * 1000;
  let open = true;
  const stop = () => {
    open = false;
    watch.close();
  };
  const timer = setTimeout(stop, timeout);
  res.on('close', stop);
  const bookmark = (): WatchEvent => ({
    type: 'BOOKMARK',
    object: {
      kind: store.info.kind,
      apiVersion: apiVersionOf(store.info.group, store.info.version),
      metadata: { resourceVersion: String(watch.bookmarkRevision()) },
    },
  });
  const ticker = bookmarks
    ? setInterval(() => {
        if (open && watch.idle()) write([bookmark()]);
      }, bookmarkIntervalMs)
    : undefined;
  const write = (events: WatchEvent[]) => {
    let out = '';
    for (const e of events) {
      if (e.type === 'BOOKMARK' && !bookmarks) continue;
      out += `${JSON.stringify({ type: e.type, object: e.type === 'BOOKMARK' ? e.object : render.object(e.object) })}\n`;
    }
    if (out) res.write(out);
  };
  try {
    while (open) {
      const events = await watch.next();
      if (!events) break;
      write(events);
    }
  } catch (e) {
    if (isStatusError(e)) res.write(`${JSON.stringify({ type: 'ERROR', object: e.toStatus() })}\n`);
    else throw e;
  } finally {
    clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    watch.close();
    res.end();
  }
}

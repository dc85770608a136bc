/**
 * `GET /stats/skiff` on the agent's endpoint: the node's Summary as JSON, for the API server's
 * metrics.k8s.io. Register with `streaming.addRoute('GET', '/stats/skiff', statsRoute(collect))`.
 */
import { notFound, StreamingError } from '../streaming/http-status.ts';
import type { RouteHandler } from '../streaming/server.ts';
import type { Summary } from './types.ts';

export const statsPath = '/stats/skiff';

export function statsRoute(collect: () => Promise<Summary>): RouteHandler {
  return async (_req, target, rest) => {
    if (!('res' in target)) throw new StreamingError(400, 'BadRequest', 'not an upgrade endpoint');
    if (rest.length > 0) throw notFound(`no handler for ${statsPath}/${rest.join('/')}`);
    let summary: Summary;
    try {
      summary = await collect();
    } catch (e) {
      const err = e as { details?: string; message?: string };
      throw new StreamingError(
        503,
        'ServiceUnavailable',
        `stats unavailable: ${err.details || err.message || String(e)}`,
      );
    }
    const body = JSON.stringify(summary);
    target.res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    target.res.end(body);
  };
}

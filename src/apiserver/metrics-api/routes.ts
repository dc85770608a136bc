/**
 * The hono routes for /apis/metrics.k8s.io: authorization as for any resource, then MetricsApi.
 * Mount them after authentication and before the generic `/apis/:group/:version` discovery
 * route: `app.route('/', metricsRoutes(api, authorize))`.
 */
import { type Context, Hono } from 'hono';
import { isStatusError, statusErrors } from '../../api/status.ts';
import type { Authorizer } from '../authn.ts';
import type { UserInfo } from '../context.ts';
import { metricsGroup } from './discovery.ts';
import { type MetricsApi, parseMetricsPath } from './handlers.ts';

type Env = { Variables: { user: UserInfo } };

export function metricsRoutes(api: MetricsApi, authorize: Authorizer): Hono<Env> {
  const app = new Hono<Env>();
  const handle = async (c: Context<Env>) => {
    const url = new URL(c.req.url);
    try {
      const route = parseMetricsPath(url.pathname);
      if (route && typeof route === 'object') {
        const verb =
          c.req.method !== 'GET'
            ? c.req.method.toLowerCase()
            : url.searchParams.get('watch') === 'true'
              ? 'watch'
              : route.name
                ? 'get'
                : 'list';
        const user = c.get('user');
        const attrs = {
          verb,
          group: metricsGroup,
          resource: route.resource,
          ...(route.namespace ? { namespace: route.namespace } : {}),
          ...(route.name ? { name: route.name } : {}),
          path: url.pathname,
        };
        if (!user || !(await authorize(user, attrs))) {
          throw statusErrors.forbidden(
            { group: metricsGroup, resource: route.resource },
            route.name ?? '',
            `User "${user?.name ?? 'system:anonymous'}" cannot ${verb} resource "${route.resource}" in API group "${metricsGroup}"${route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope'}`,
          );
        }
      }
      const reply = await api.serve(c.req.method, url.pathname, url.searchParams);
      return c.body(JSON.stringify(reply.body), reply.status as 200, { 'Content-Type': 'application/json' });
    } catch (e) {
      const err = isStatusError(e) ? e : statusErrors.internal(e instanceof Error ? e.message : String(e));
      return c.body(JSON.stringify(err.toStatus()), err.code as 500, { 'Content-Type': 'application/json' });
    }
  };
  app.all('/apis/metrics.k8s.io', handle);
  app.all('/apis/metrics.k8s.io/*', handle);
  return app;
}

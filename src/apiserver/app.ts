import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { type Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { isStatusError, type StatusError, statusErrors } from '../api/status.ts';
import type { Registry } from '../registry/registry.ts';
import { type JoinHandler, joinPaths } from '../server/join/handler.ts';
import { type Authorizer, authenticate, mastersOnly, type TokenAuthenticator } from './authn.ts';
import { decodeObjectBody, readBody } from './body.ts';
import type { Reply, UserInfo } from './context.ts';
import {
  aggregatedDiscovery,
  aggregatedV2,
  aggregatedV2beta1,
  aggregatedVersion,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './discovery.ts';
import { handleBinding } from './handlers/binding.ts';
import { ApiMetrics } from './metrics.ts';
import type { MetricsApi } from './metrics-api/handlers.ts';
import { metricsRoutes } from './metrics-api/routes.ts';
import { anyOf, nodeAuthorizer } from './node-authorizer.ts';
import { OpenApiV3 } from './openapi.ts';
import { renderer } from './render.ts';
import { parseRequestInfo } from './request-info.ts';
import { resolve } from './resources.ts';
import { selfSubjectAccessReview, selfSubjectRulesReview } from './reviews/self-subject.ts';
import type { ServiceAccountTokenSigner } from './serviceaccount/jwt.ts';
import { tokenRequestHandler } from './serviceaccount/token-request.ts';
import { versionInfo } from './version.ts';

export interface ApiServerOptions {
  readonly registry: Registry;
  readonly log: Logger;
  /** host:port clients reach the server at (discovery's serverAddressByClientCIDRs). */
  readonly advertiseAddress: string;
  readonly tokens?: TokenAuthenticator;
  readonly authorize?: Authorizer;
  /** Whether startup has finished (bootstrap objects, controllers): /readyz says so. */
  readonly isReady?: () => boolean;
  /** Signs service-account tokens for the serviceaccounts/token subresource. */
  readonly serviceAccountTokens?: { signer: ServiceAccountTokenSigner; audiences: string[] };
  /** metrics.k8s.io (kubectl top), when the server has a way to reach the agents' stats. */
  readonly metricsApi?: MetricsApi;
  /** skiff's join endpoints (/cacerts, /v1-skiff/node-credentials): token-authenticated, not Kubernetes. */
  readonly join?: JoinHandler;
}

type Env = { Bindings: HttpBindings; Variables: { user: UserInfo } };

const publicPaths = new Set(['/version', '/healthz', '/livez', '/readyz']);

function statusResponse(c: Context<Env>, e: StatusError): Response {
  return c.json(e.toStatus(), e.code as 400);
}

function json(c: Context<Env>, status: number, body: unknown, contentType = 'application/json'): Response {
  return c.body(JSON.stringify(body), status as 200, { 'Content-Type': contentType });
}

/** The Kubernetes API as a hono app: authentication → authorization → handlers → storage. */
export function createApiApp(options: ApiServerOptions): Hono<Env> {
  const { registry, log } = options;
  const authorize = options.authorize ?? anyOf(mastersOnly, nodeAuthorizer);
  const app = new Hono<Env>();

  app.onError((err, c) => {
    if (isStatusError(err)) return statusResponse(c, err);
    log.error({ err, path: c.req.path }, 'request failed');
    return statusResponse(c, statusErrors.internal(err instanceof Error ? err.message : String(err)));
  });
  app.notFound((c) => statusResponse(c, statusErrors.notFoundPath()));

  if (options.join) {
    const join = options.join;
    app.use('*', async (c, next) => {
      if (!joinPaths.has(c.req.path)) return next();
      const body = c.req.method === 'POST' ? await c.req.text() : '';
      const reply = await join(c.req.path, c.req.method, c.req.header('authorization'), body);
      if (!reply) return next();
      return c.body(reply.body, reply.status as 200, { 'Content-Type': reply.contentType });
    });
  }

  app.use('*', async (c, next) => {
    if (publicPaths.has(c.req.path)) return next();
    const user = await authenticate(c.env.incoming, options.tokens);
    if (!user) return statusResponse(c, statusErrors.unauthorized());
    c.set('user', user);
    return next();
  });

  const tokenRequest = options.serviceAccountTokens
    ? tokenRequestHandler({ registry, ...options.serviceAccountTokens })
    : undefined;
  const metrics = new ApiMetrics();
  app.get('/version', (c) => c.json(versionInfo()));
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );
  for (const path of ['/healthz', '/livez', '/readyz']) {
    app.get(path, (c) => {
      const name = path.slice(1);
      if (path === '/readyz' && options.isReady && !options.isReady()) {
        return c.text(`[-]startup failed: not finished\n${name} check failed\n`, 500);
      }
      return c.text(c.req.query('verbose') !== undefined ? `[+]ping ok\n${name} check passed\n` : 'ok');
    });
  }

  if (options.metricsApi) app.route('/', metricsRoutes(options.metricsApi, authorize));

  const discovery = (core: boolean) => (c: Context<Env>) => {
    const v = aggregatedVersion(c.req.header('accept'));
    if (v)
      return json(
        c,
        200,
        aggregatedDiscovery(registry, core, v, !!options.metricsApi),
        v === 'v2' ? aggregatedV2 : aggregatedV2beta1,
      );
    return json(
      c,
      200,
      core ? apiVersions(options.advertiseAddress) : apiGroupList(registry, !!options.metricsApi),
    );
  };
  app.get('/api', discovery(true));
  app.get('/apis', discovery(false));
  app.get('/api/:version', (c) => {
    const doc = apiResourceList(registry, '', c.req.param('version'));
    return doc ? json(c, 200, doc) : statusResponse(c, statusErrors.notFoundPath());
  });
  app.get('/apis/:group', (c) => {
    const doc = apiGroupDoc(registry, c.req.param('group'));
    return doc ? json(c, 200, doc) : statusResponse(c, statusErrors.notFoundPath());
  });
  app.get('/apis/:group/:version', (c) => {
    const doc = apiResourceList(registry, c.req.param('group'), c.req.param('version'));
    return doc ? json(c, 200, doc) : statusResponse(c, statusErrors.notFoundPath());
  });

  const openapi = new OpenApiV3(registry);
  app.get('/openapi/v3', (c) => json(c, 200, openapi.index()));
  app.get('/openapi/v2', async (c) => {
    // kubectl asks for v2 only as protobuf, which is not served: it then uses v3.
    if (!/application\/json|\*\/\*/.test(c.req.header('accept') ?? '*/*')) {
      return statusResponse(c, statusErrors.notFoundPath());
    }
    return c.body(await openapi.swagger(), 200, { 'Content-Type': 'application/json' });
  });
  app.get('/openapi/v3/*', async (c) => {
    const doc = openapi.document(c.req.path.slice('/openapi/v3/'.length));
    if (!doc) return statusResponse(c, statusErrors.notFoundPath());
    const immutable = c.req.query('hash') === doc.hash;
    return c.body(await doc.body, 200, {
      'Content-Type': 'application/json',
      ...(immutable
        ? { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 31536e6).toUTCString() }
        : {}),
      Etag: `"${doc.hash}"`,
    });
  });

  const resources = async (c: Context<Env>) => {
    const url = new URL(c.req.url);
    const info = parseRequestInfo(c.req.method, url.pathname, url.searchParams);
    if (!info) return statusResponse(c, statusErrors.notFoundPath());
    const labels = {
      verb: info.verb.toUpperCase(),
      group: info.group,
      version: info.version,
      resource: info.resource,
      subresource: info.subresource ?? '',
    };
    const done = metrics.duration.startTimer(labels);
    let code = 500;
    try {
      const response = await serveResource(c, url, info);
      code = response === RESPONSE_ALREADY_SENT ? 200 : response.status;
      return response;
    } catch (e) {
      code = isStatusError(e) ? e.code : 500;
      throw e;
    } finally {
      done();
      metrics.requests.inc({ ...labels, code: String(code) });
    }
  };

  const serveResource = async (
    c: Context<Env>,
    url: URL,
    info: NonNullable<ReturnType<typeof parseRequestInfo>>,
  ) => {
    const { store, handler } = resolve(registry, info, { token: tokenRequest });
    const user = c.get('user');
    const allowed = await authorize(user, { ...info, resource: info.resource, path: url.pathname });
    if (!allowed) {
      throw statusErrors.forbidden(
        store.groupResource,
        info.name ?? '',
        `User "${user.name}" cannot ${info.verb} resource "${info.resource}" in API group "${info.group}"${info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope'}`,
      );
    }
    const request = {
      info,
      store,
      query: url.searchParams,
      req: c.env.incoming,
      res: c.env.outgoing,
      user,
      warnings: [] as string[],
    };
    if (info.group === '' && info.resource === 'bindings' && info.verb === 'create') {
      // The legacy bindings resource: a Binding posted to the namespace binds the pod it names.
      const pods = registry.byResource('', 'pods')!;
      const reply = await handleBinding({ ...request, store: pods }, undefined);
      return json(c, 201, (reply as { body: unknown }).body);
    }
    if (info.group === 'authorization.k8s.io' && info.verb === 'create') {
      const body = decodeObjectBody(await readBody(c.env.incoming), c.req.header('content-type'));
      const review =
        info.resource === 'selfsubjectaccessreviews'
          ? await selfSubjectAccessReview(body, user, authorize)
          : await selfSubjectRulesReview(body, user);
      return json(c, 201, review);
    }
    const reply: Reply = await handler(request);
    if (reply === 'sent') return RESPONSE_ALREADY_SENT;
    let body = reply.body;
    if (reply.status < 300 && (info.verb === 'get' || info.verb === 'list')) {
      const render = renderer(request);
      body = info.verb === 'list' ? render.list(body as never, body) : render.object(body as never);
    }
    for (const w of request.warnings) c.header('Warning', `299 - ${JSON.stringify(w)}`, { append: true });
    return json(c, reply.status, body);
  };
  app.all('/api/*', resources);
  app.all('/apis/*', resources);
  return app;
}

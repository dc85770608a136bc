/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it: NodeMetrics and PodMetrics (get, list;
 * pods namespaced or across namespaces; labelSelector and fieldSelector), built from each
 * node's resource summary. A node whose summary cannot be had is left out, as metrics-server
 * leaves out what it could not scrape.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { PodSummary, Summary } from '../../agent/stats/types.ts';
import type { LabelSelector } from '../../api/selectors/index.ts';
import { type FieldSelector, parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.ts';
import { statusErrors } from '../../api/status.ts';
import {
  metricsApiGroupDoc,
  metricsApiResourceList,
  metricsGroup,
  metricsGroupVersion,
  metricsVersion,
} from './discovery.ts';
import { cpuQuantity, goDuration, memoryQuantity } from './quantity.ts';

export interface MetricsApiOptions {
  /** The node's summary (the agent's `GET /stats/skiff`); undefined or a rejection = no data. */
  fetchSummary(nodeName: string): Promise<Summary | undefined>;
  listNodes(): Promise<V1Node[]>;
  /** Pods of one namespace, or of all when undefined. */
  listPods(namespace: string | undefined): Promise<V1Pod[]>;
  log?: { warn(obj: object, msg: string): void };
}

export interface MetricsReply {
  status: number;
  body: unknown;
}

const nodesGR = { group: metricsGroup, resource: 'nodemetrics' };
const podsGR = { group: metricsGroup, resource: 'podmetrics' };

interface Route {
  resource: 'nodes' | 'pods';
  namespace?: string;
  name?: string;
}

/** The resource a metrics path names; undefined when it names none. */
export function parseMetricsPath(path: string): Route | 'group' | 'version' | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'apis' || parts[1] !== metricsGroup) return undefined;
  if (parts.length === 2) return 'group';
  if (parts[2] !== metricsVersion) return undefined;
  const rest = parts.slice(3);
  if (rest.length === 0) return 'version';
  if (rest[0] === 'nodes' && rest.length <= 2)
    return { resource: 'nodes', ...(rest[1] ? { name: rest[1] } : {}) };
  if (rest[0] === 'pods' && rest.length === 1) return { resource: 'pods' };
  if (rest[0] === 'namespaces' && rest[1] && rest[2] === 'pods' && rest.length <= 4) {
    return { resource: 'pods', namespace: rest[1], ...(rest[3] ? { name: rest[3] } : {}) };
  }
  return undefined;
}

function selectors(query: URLSearchParams): { labels?: LabelSelector; fields?: FieldSelector } {
  try {
    const l = query.get('labelSelector');
    const f = query.get('fieldSelector');
    return {
      ...(l ? { labels: parseLabelSelector(l) } : {}),
      ...(f ? { fields: parseFieldSelector(f) } : {}),
    };
  } catch (e) {
    throw statusErrors.badRequest((e as Error).message);
  }
}

export class MetricsApi {
  private readonly opts: MetricsApiOptions;

  constructor(opts: MetricsApiOptions) {
    this.opts = opts;
  }

  /** Answers one request under /apis/metrics.k8s.io; throws StatusErrors. */
  async serve(method: string, path: string, query: URLSearchParams): Promise<MetricsReply> {
    const route = parseMetricsPath(path);
    if (!route) throw statusErrors.notFoundPath();
    if (route === 'group' || route === 'version') {
      if (method !== 'GET') throw statusErrors.notFoundPath();
      return { status: 200, body: route === 'group' ? metricsApiGroupDoc() : metricsApiResourceList() };
    }
    const gr = route.resource === 'nodes' ? nodesGR : podsGR;
    if (method !== 'GET') throw statusErrors.methodNotSupported(gr, methodVerb(method, !!route.name));
    if (query.get('watch') === 'true' || query.get('watch') === '1')
      throw statusErrors.methodNotSupported(gr, 'watch');
    return route.resource === 'nodes'
      ? this.nodes(route.name, query)
      : this.pods(route.namespace, route.name, query);
  }

  private summaries(nodeNames: Iterable<string>): Promise<Map<string, Summary>> {
    const names = [...new Set(nodeNames)].filter(Boolean);
    return Promise.all(
      names.map(async (n): Promise<[string, Summary | undefined]> => {
        try {
          return [n, await this.opts.fetchSummary(n)];
        } catch (err) {
          this.opts.log?.warn({ err, node: n }, 'metrics: no summary from node');
          return [n, undefined];
        }
      }),
    ).then((pairs) => new Map(pairs.filter((p): p is [string, Summary] => p[1] !== undefined)));
  }

  private async nodes(name: string | undefined, query: URLSearchParams): Promise<MetricsReply> {
    const { labels, fields } = selectors(query);
    const nodes = (await this.opts.listNodes()).filter((n) => {
      const nodeName = n.metadata?.name ?? '';
      if (name !== undefined) return nodeName === name;
      return (
        (!labels || labels.matches(n.metadata?.labels ?? {})) &&
        (!fields || fields.matches({ 'metadata.name': nodeName }))
      );
    });
    const summaries = await this.summaries(nodes.map((n) => n.metadata?.name ?? ''));
    const items = nodes.flatMap((n) => {
      const s = summaries.get(n.metadata?.name ?? '');
      return s ? [nodeMetrics(n, s)] : [];
    });
    if (name !== undefined) {
      if (!items[0]) throw statusErrors.notFound(nodesGR, name);
      return { status: 200, body: { kind: 'NodeMetrics', apiVersion: metricsGroupVersion, ...items[0] } };
    }
    return { status: 200, body: list('NodeMetricsList', items) };
  }

  private async pods(namespace: string | undefined, name: string | undefined, query: URLSearchParams) {
    const { labels, fields } = selectors(query);
    const pods = (await this.opts.listPods(namespace)).filter((p) => {
      const md = p.metadata ?? {};
      if (namespace !== undefined && md.namespace !== namespace) return false;
      if (name !== undefined) return md.name === name;
      return (
        (!labels || labels.matches(md.labels ?? {})) &&
        (!fields ||
          fields.matches({ 'metadata.name': md.name ?? '', 'metadata.namespace': md.namespace ?? '' }))
      );
    });
    const summaries = await this.summaries(pods.map((p) => p.spec?.nodeName ?? ''));
    const items = pods.flatMap((p) => {
      const s = summaries.get(p.spec?.nodeName ?? '');
      const ps = s?.pods.find((x) => x.uid === p.metadata?.uid);
      return s && ps ? [podMetrics(p, ps, s)] : [];
    });
    if (name !== undefined) {
      if (!items[0]) throw statusErrors.notFound(podsGR, `${namespace}/${name}`);
      return { status: 200, body: { kind: 'PodMetrics', apiVersion: metricsGroupVersion, ...items[0] } };
    }
    return { status: 200, body: list('PodMetricsList', items) };
  }
}

function methodVerb(method: string, named: boolean): string {
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  return method === 'DELETE' && !named ? 'deletecollection' : (verbs[method] ?? method.toLowerCase());
}

function list(kind: string, items: unknown[]) {
  return { kind, apiVersion: metricsGroupVersion, metadata: {}, items };
}

function nodeMetrics(n: V1Node, s: Summary) {
  return {
    metadata: {
      name: n.metadata?.name ?? '',
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(n.metadata?.labels ? { labels: n.metadata.labels } : {}),
    },
    timestamp: s.timestamp.replace(/\.\d+Z$/, 'Z'),
    window: goDuration(s.windowSeconds),
    usage: {
      cpu: cpuQuantity(s.node.cpu.usageNanoCores),
      memory: memoryQuantity(s.node.memory.workingSetBytes),
    },
  };
}

function podMetrics(p: V1Pod, ps: PodSummary, s: Summary) {
  return {
    metadata: {
      name: p.metadata?.name ?? '',
      namespace: p.metadata?.namespace ?? '',
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(p.metadata?.labels ? { labels: p.metadata.labels } : {}),
    },
    timestamp: s.timestamp.replace(/\.\d+Z$/, 'Z'),
    window: goDuration(s.windowSeconds),
    containers: ps.containers.map((c) => ({
      name: c.name,
      usage: { cpu: cpuQuantity(c.cpu.usageNanoCores), memory: memoryQuantity(c.memory.workingSetBytes) },
    })),
  };
}

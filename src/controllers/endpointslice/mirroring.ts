import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ResourceStore } from '../../registry/store.ts';
import { type Obj, objs, serviceSelector, str } from '../endpoints/pods.ts';
import { runWorkers } from '../run-workers.ts';
import { ownerRefTo } from './controller.ts';
import { managedByLabel, serviceNameLabel, slicePrefix } from './desired.ts';
import {
  type DesiredGroup,
  type EndpointSlice,
  portMapKey,
  reconcileSlices,
  type SliceEndpoint,
  type SlicePort,
  sameJSON,
} from './slices.ts';
import { applySliceChanges, triggerTimeAnnotation } from './writer.ts';

export const mirroringControllerName = 'endpointslicemirroring-controller.k8s.io';
const skipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror';
const leaderAnnotation = 'control-plane.alpha.kubernetes.io/leader';
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
const maxPerSubset = 1000;

/** upstream's addressToEndpoint. */
function toEndpoint(a: Obj, ready: boolean): SliceEndpoint {
  const e: SliceEndpoint = { addresses: [str(a.ip)], conditions: { ready } };
  if (str(a.hostname)) e.hostname = str(a.hostname);
  if (a.targetRef) e.targetRef = a.targetRef as SliceEndpoint['targetRef'];
  if (str(a.nodeName)) e.nodeName = str(a.nodeName);
  return e;
}

const toPorts = (subset: Obj): SlicePort[] =>
  objs(subset.ports).map((p) => ({
    name: str(p.name),
    port: typeof p.port === 'number' ? p.port : 0,
    protocol: str(p.protocol) || 'TCP',
    ...(str(p.appProtocol) ? { appProtocol: str(p.appProtocol) } : {}),
  }));

/** The slices an Endpoints object mirrors to: per subset, per address type, 1000 at most. */
export function mirroredGroups(endpoints: KubeObject): DesiredGroup[] {
  const groups = new Map<string, DesiredGroup>();
  for (const subset of objs(endpoints.subsets)) {
    const ports = toPorts(subset);
    let left = maxPerSubset;
    const add = (a: Obj, ready: boolean) => {
      if (left <= 0) return;
      left--;
      const addressType = isIPv6(str(a.ip)) ? 'IPv6' : 'IPv4';
      const key = portMapKey(addressType, ports);
      let g = groups.get(key);
      if (!g) {
        g = { addressType, ports, endpoints: [] };
        groups.set(key, g);
      }
      g.endpoints.push(toEndpoint(a, ready));
    };
    for (const a of objs(subset.addresses)) add(a, true);
    for (const a of objs(subset.notReadyAddresses)) add(a, false);
  }
  return [...groups.values()];
}

/**
 * The `kubernetes` EndpointSlice written beside the `kubernetes` Endpoints, as upstream's
 * API server EndpointsAdapter does (endpointSliceFromEndpoints): same name, only the
 * service-name label, first subset only.
 */
export function kubernetesSlice(endpoints: KubeObject): EndpointSlice {
  const subset = objs(endpoints.subsets)[0];
  const addresses = [...objs(subset?.addresses), ...objs(subset?.notReadyAddresses)];
  const v6 = addresses.length > 0 && addresses.every((a) => isIPv6(str(a.ip)));
  const addressType = v6 ? 'IPv6' : 'IPv4';
  const fits = (a: Obj) => isIPv6(str(a.ip)) === v6;
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: endpoints.metadata.name,
      namespace: endpoints.metadata.namespace,
      labels: { [serviceNameLabel]: endpoints.metadata.name! },
    },
    addressType,
    endpoints: [
      ...objs(subset?.addresses)
        .filter(fits)
        .map((a) => toEndpoint(a, true)),
      ...objs(subset?.notReadyAddresses)
        .filter(fits)
        .map((a) => toEndpoint(a, false)),
    ],
  };
  if (subset)
    slice.ports = objs(subset.ports).map((p) => ({
      name: str(p.name),
      port: p.port as number,
      protocol: str(p.protocol) || 'TCP',
    }));
  return slice;
}

/**
 * upstream's EndpointSliceMirroring controller: Endpoints of selector-less Services are
 * mirrored into EndpointSlices managed by `endpointslicemirroring-controller.k8s.io` and
 * owned by the Endpoints. The `kubernetes` Endpoints (skip-mirror) gets its one slice as the
 * API server's EndpointsAdapter writes it.
 */
export class EndpointSliceMirroringController {
  private readonly queue = new WorkQueue<string>();
  readonly endpoints: InformerHandle;
  readonly services: InformerHandle;
  readonly slices: InformerHandle;
  private readonly store: ResourceStore;
  private readonly log: Logger;

  constructor(registry: Registry, log: Logger) {
    this.log = log.child({ controller: 'endpointslicemirroring' });
    this.store = registry.byResource('discovery.k8s.io', 'endpointslices')!;
    this.endpoints = sharedInformers(registry).forStore(registry.byResource('', 'endpoints')!);
    this.services = sharedInformers(registry).forStore(registry.byResource('', 'services')!);
    this.slices = sharedInformers(registry).forStore(this.store);
    const enqueue = (o: KubeObject) => this.queue.add(objectKeyOf(o));
    for (const i of [this.endpoints, this.services])
      i.addHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    const sliceChanged = (s: KubeObject) => {
      const name = s.metadata.labels?.[serviceNameLabel];
      const manager = s.metadata.labels?.[managedByLabel];
      if (name && (manager === mirroringControllerName || (!manager && name === 'kubernetes')))
        this.queue.add(`${s.metadata.namespace}/${name}`);
    };
    this.slices.addHandler({ update: (_o, n) => sliceChanged(n), delete: sliceChanged });
  }

  async start(): Promise<void> {
    await Promise.all([this.endpoints.start(), this.services.start(), this.slices.start()]);
    void runWorkers(this.queue, (key) => this.sync(key), 5, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    for (const i of [this.endpoints, this.services, this.slices]) i.stop();
  }

  async sync(key: string): Promise<void> {
    if (key === 'default/kubernetes') return this.syncKubernetes();
    const ep = this.endpoints.get(key);
    const svc = this.services.get(key);
    const namespace = key.slice(0, key.indexOf('/'));
    const existing = this.slices
      .list()
      .filter(
        (s) =>
          s.metadata.namespace === namespace &&
          s.metadata.labels?.[serviceNameLabel] === key.slice(namespace.length + 1) &&
          s.metadata.labels?.[managedByLabel] === mirroringControllerName &&
          !s.metadata.deletionTimestamp,
      ) as EndpointSlice[];
    const mirror =
      ep &&
      svc &&
      !serviceSelector(svc) &&
      ep.metadata.labels?.[skipMirrorLabel] !== 'true' &&
      ep.metadata.annotations?.[leaderAnnotation] === undefined;
    const groups = mirror ? mirroredGroups(ep) : [];
    const labels = (): Record<string, string> => ({
      ...(ep?.metadata.labels ?? {}),
      [serviceNameLabel]: ep?.metadata.name ?? '',
      [managedByLabel]: mirroringControllerName,
    });
    const changes = reconcileSlices(existing, groups, ['IPv4', 'IPv6'], {
      newSlice: (group) => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: slicePrefix(ep!.metadata.name!),
          namespace,
          labels: labels(),
          annotations: Object.fromEntries(
            Object.entries(ep!.metadata.annotations ?? {}).filter(
              ([k]) => k !== triggerTimeAnnotation && k !== lastApplied,
            ),
          ),
          ownerReferences: [ownerRefTo(ep!, 'Endpoints')],
        },
        addressType: group.addressType,
        endpoints: [],
        ...(group.ports.length > 0 ? { ports: group.ports } : {}),
      }),
      labelsFor: labels,
    });
    if (changes.create.length + changes.update.length + changes.delete.length > 0)
      await applySliceChanges(this.store, namespace, changes, undefined);
  }

  private async syncKubernetes(): Promise<void> {
    const ep = this.endpoints.get('default/kubernetes');
    const current = this.slices.get('default/kubernetes');
    if (!ep) {
      if (current && !current.metadata.labels?.[managedByLabel])
        await this.store.delete('default', 'kubernetes').catch((e) => {
          if (!(isStatusError(e) && e.code === 404)) throw e;
        });
      return;
    }
    const want = kubernetesSlice(ep);
    if (current) {
      const body = (o: KubeObject) => [o.addressType, o.endpoints, o.ports, o.metadata.labels];
      if (sameJSON(body(current), body(want))) return;
      await this.store.guaranteedUpdate('default', 'kubernetes', (cur) => ({
        ...want,
        metadata: { ...cur!.metadata, labels: want.metadata.labels },
      }));
      return;
    }
    await this.store.create('default', want).catch((e) => {
      if (!(isStatusError(e) && e.code === 409)) throw e;
    });
  }
}

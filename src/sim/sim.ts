/**
 * `skiff sim`: simulated nodes for tests and the scale benchmark, like kwok. A separate process
 * that talks to the API over HTTPS like any client: it registers nodes, heartbeats through
 * Leases and "runs" the pods bound to them (see runner.ts and annotations.ts). No containers.
 */
import { CoordinationV1Api, CoreV1Api, KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type pino from 'pino';
import { shareConnections } from './api.ts';
import { type ControlServer, startControl } from './control.ts';
import { SimNodes } from './nodes.ts';
import type { SimOptions } from './options.ts';
import { Reflector } from './reflector.ts';
import { PodRunner } from './runner.ts';

export interface RunningSim {
  readonly nodes: SimNodes;
  readonly runner: PodRunner;
  /** The control endpoint's port, when one was asked for. */
  readonly controlPort?: number;
  /** Stops heartbeating and running pods; the nodes stay registered, as with a kubelet. */
  stop(): Promise<void>;
}

export async function startSim(opts: SimOptions, log: pino.Logger): Promise<RunningSim> {
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfig);
  shareConnections(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const coord = kc.makeApiClient(CoordinationV1Api);
  const nodes = new SimNodes(opts, core, coord, log);
  const runner = new PodRunner(core, nodes, opts.readyAfterMs, log);
  nodes.onResume = (name) => runner.resume(name);

  await nodes.register();
  const nodeWatch = new Reflector<V1Node>({
    kc,
    path: '/api/v1/nodes',
    list: () => core.listNode(),
    filter: (n) => nodes.has(n.metadata?.name ?? ''),
    upsert: (n) => nodes.seen(n),
    remove: (key) => nodes.forgotten(key),
    log,
  });
  const podWatch = new Reflector<V1Pod>({
    kc,
    path: '/api/v1/pods',
    fieldSelector: 'spec.nodeName!=',
    list: () => core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName!=' }),
    filter: (p) => runner.owns(p),
    upsert: (p) => runner.upsert(p),
    remove: (key) => runner.remove(key),
    log,
  });
  let control: ControlServer | undefined;
  try {
    await nodeWatch.start();
    await podWatch.start();
    if (opts.controlPort !== undefined) control = await startControl(nodes, opts.controlPort);
  } catch (e) {
    nodeWatch.stop();
    podWatch.stop();
    nodes.stop();
    runner.stop();
    throw e;
  }
  log.info(
    { nodes: opts.nodes, prefix: opts.namePrefix, ...(control ? { controlPort: control.port } : {}) },
    'simulated nodes ready',
  );
  return {
    nodes,
    runner,
    ...(control ? { controlPort: control.port } : {}),
    async stop() {
      nodeWatch.stop();
      podWatch.stop();
      nodes.stop();
      runner.stop();
      await control?.close();
    },
  };
}

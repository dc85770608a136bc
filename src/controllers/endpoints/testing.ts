/** Helpers the controller tests share: a memory-backed registry and polling for a condition. */
import pino from 'pino';
import type { KubeObject } from '../../api/object.ts';
import { Registry } from '../../registry/registry.ts';
import { openBackend } from '../../storage/index.ts';

export const silent = pino({ level: 'silent' });

export async function testRegistry(namespaces = ['default']): Promise<Registry> {
  const registry = new Registry(openBackend('memory:', { compactIntervalMs: 0 }));
  for (const name of namespaces)
    await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name } });
  return registry;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A minimal valid pod. */
export function testPod(
  name: string,
  labels: Record<string, string>,
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  };
}

/** Sets a pod's status as a kubelet would: Running, an IP, Ready or not. */
export async function setPodStatus(
  registry: Registry,
  namespace: string,
  name: string,
  ip: string,
  ready = true,
  extra: Record<string, unknown> = {},
): Promise<KubeObject> {
  const pods = registry.byResource('', 'pods')!;
  const { object } = await pods.guaranteedUpdate(
    namespace,
    name,
    (cur) => ({
      ...cur!,
      status: {
        ...(cur!.status as object),
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        ...extra,
      },
    }),
    { subresource: 'status' },
  );
  return object;
}

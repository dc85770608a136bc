/**
 * POST …/pods/{name}/eviction (upstream's pkg/registry/core/pod/storage/eviction.go): deletes
 * a pod unless that would take a PodDisruptionBudget covering it below what it needs.
 */
import { isObject, type KubeObject, timestamp } from '../../api/object.ts';
import { fromLabelSelectorObject } from '../../api/selectors/index.ts';
import { StatusError, statusErrors } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';
import type { DeleteOptions } from '../../registry/store.ts';
import { decodeObjectBody, readBody } from '../body.ts';
import { dryRun, type Reply, type ResourceRequest } from '../context.ts';

/** Upstream refuses evictions once this many are waiting for the controller to see them. */
export const maxDisruptedPods = 2000;

interface Budget extends KubeObject {
  spec: { selector?: { matchLabels?: Record<string, string> } | null; unhealthyPodEvictionPolicy?: string };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    disruptedPods?: Record<string, string>;
  };
}

const tooManyRequests = (message: string, cause: string) =>
  new StatusError(429, 'TooManyRequests', message, {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });

const isReady = (pod: KubeObject) => {
  const status = isObject(pod.status) ? pod.status : {};
  const conds = Array.isArray(status.conditions) ? status.conditions : [];
  return conds.some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
};

/** Pods the budget check does not apply to: finished, not yet started, or already going. */
function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = isObject(pod.status) ? pod.status.phase : undefined;
  return (
    phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp
  );
}

function budgetsFor(budgets: readonly KubeObject[], pod: KubeObject): Budget[] {
  return (budgets as Budget[]).filter((b) => {
    try {
      // policy/v1: an empty selector matches every pod, a missing one none.
      return fromLabelSelectorObject(b.spec?.selector as never).matches(pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  });
}

/** Takes one disruption from the budget, recording the pod; throws when none is left. */
async function takeDisruption(
  registry: Registry,
  budget: Budget,
  pod: KubeObject,
  dry: boolean,
): Promise<void> {
  const store = registry.byResource('policy', 'poddisruptionbudgets')!;
  const check = (b: Budget) => {
    const s = b.status ?? {};
    if ((s.observedGeneration ?? 0) < (b.metadata.generation ?? 0)) {
      throw tooManyRequests(
        "Cannot evict pod as it would violate the pod's disruption budget.",
        `The disruption budget ${b.metadata.name} is still being processed by the server.`,
      );
    }
    const allowed = s.disruptionsAllowed ?? 0;
    if (allowed < 0) throw new StatusError(403, 'Forbidden', 'pdb disruptions allowed is negative');
    if (Object.keys(s.disruptedPods ?? {}).length > maxDisruptedPods) {
      throw new StatusError(
        403,
        'Forbidden',
        'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
      );
    }
    if (allowed === 0) {
      throw tooManyRequests(
        "Cannot evict pod as it would violate the pod's disruption budget.",
        `The disruption budget ${b.metadata.name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`,
      );
    }
  };
  check(budget);
  if (dry) return;
  await store.guaranteedUpdate(
    budget.metadata.namespace,
    budget.metadata.name!,
    (cur) => {
      const b = cur as Budget;
      check(b);
      const s = b.status ?? {};
      b.status = {
        ...s,
        disruptionsAllowed: (s.disruptionsAllowed ?? 0) - 1,
        disruptedPods: { ...s.disruptedPods, [pod.metadata.name!]: timestamp() },
      };
      return b;
    },
    { subresource: 'status' },
  );
}

/** Evicts a pod: the budget check, then the deletion with the Eviction's deleteOptions. */
export async function evictPod(
  registry: Registry,
  namespace: string,
  name: string,
  options: DeleteOptions,
): Promise<void> {
  const pods = registry.byResource('', 'pods')!;
  const pod = await pods.get(namespace, name);
  if (!canIgnoreBudget(pod)) {
    const { items } = await registry.byResource('policy', 'poddisruptionbudgets')!.list(namespace);
    const budgets = budgetsFor(items, pod);
    if (budgets.length > 1) {
      throw new StatusError(
        500,
        'InternalError',
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );
    }
    const budget = budgets[0];
    const skip = budget?.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' && !isReady(pod);
    if (budget && !skip) await takeDisruption(registry, budget, pod, !!options.dryRun);
  }
  const pre = options.preconditions ?? {};
  await pods.delete(namespace, name, {
    ...options,
    // The pod checked above is the one deleted.
    preconditions: {
      uid: pre.uid ?? pod.metadata.uid,
      ...(pre.resourceVersion ? { resourceVersion: pre.resourceVersion } : {}),
    },
  });
}

/** The deleteOptions an Eviction carries, as the store takes them. */
function deleteOptionsOf(body: Record<string, unknown>, dry: boolean): DeleteOptions {
  const o = isObject(body.deleteOptions) ? body.deleteOptions : {};
  const policy = o.propagationPolicy as DeleteOptions['propagationPolicy'];
  return {
    ...(typeof o.gracePeriodSeconds === 'number' ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
    ...(isObject(o.preconditions)
      ? { preconditions: o.preconditions as DeleteOptions['preconditions'] }
      : {}),
    ...(policy ? { propagationPolicy: policy } : {}),
    dryRun: dry || (Array.isArray(o.dryRun) && o.dryRun.includes('All')),
  };
}

export async function handleEviction(r: ResourceRequest, registry: Registry): Promise<Reply> {
  const body = decodeObjectBody(await readBody(r.req), r.req.headers['content-type']);
  const meta = isObject(body.metadata) ? body.metadata : {};
  const name = r.info.name!;
  if (meta.name !== undefined && meta.name !== name) {
    throw statusErrors.badRequest(`name in URL does not match name in Eviction object`);
  }
  await evictPod(registry, r.info.namespace!, name, deleteOptionsOf(body, dryRun(r.query)));
  return {
    status: 201,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 },
  };
}

/**
 * DefaultPreemption (plugins/defaultpreemption, 1.32): when no node fits, find a node where
 * deleting lower-priority pods makes room, delete the fewest and least important of them,
 * and nominate the pod to that node. Its PostFilter message is prefixed "preemption: ".
 */
import type { KubeObject } from '../../api/object.ts';
import { fromLabelSelectorObject, type LabelSelectorObject } from '../../api/selectors/index.ts';
import {
  type CycleState,
  type Handle,
  type PluginFactory,
  type PostFilterPlugin,
  type Result,
  Status,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import { Evaluator } from '../preemption.ts';

export const defaultPreemptionName = 'DefaultPreemption';
export const noVictimsMessage = 'No preemption victims found for incoming pod';

export interface Victims {
  pods: PodInfo[];
  numPDBViolations: number;
  status: Result;
}

const startTime = (p: PodInfo) => {
  const t = typeof p.status.startTime === 'string' ? Date.parse(p.status.startTime) : Number.NaN;
  return Number.isNaN(t) ? Date.now() : t;
};

/** Higher priority first; among equals the one that started earlier (util.MoreImportantPod). */
export const moreImportant = (a: PodInfo, b: PodInfo) =>
  a.priority !== b.priority ? b.priority - a.priority : startTime(a) - startTime(b);

/** Splits pods (order kept) into those whose eviction would break a PDB and the rest. */
export function splitByPDBViolation(
  pods: readonly PodInfo[],
  pdbs: readonly KubeObject[],
): [PodInfo[], PodInfo[]] {
  const allowed = pdbs.map((p) =>
    Number((p.status as { disruptionsAllowed?: number } | undefined)?.disruptionsAllowed ?? 0),
  );
  const violating: PodInfo[] = [];
  const ok: PodInfo[] = [];
  for (const pod of pods) {
    let violated = false;
    if (Object.keys(pod.labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if (pdb.metadata.namespace !== pod.namespace) return;
        const spec = (pdb.spec ?? {}) as { selector?: LabelSelectorObject | null };
        let selector: ReturnType<typeof fromLabelSelectorObject>;
        try {
          selector = fromLabelSelectorObject(spec.selector);
        } catch {
          return;
        }
        if (selector.isEverything() || !selector.matches(pod.labels)) return;
        const disrupted = (pdb.status as { disruptedPods?: Record<string, unknown> } | undefined)
          ?.disruptedPods;
        if (disrupted && pod.name in disrupted) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : ok).push(pod);
  }
  return [violating, ok];
}

/**
 * The fewest lower-priority pods to delete from `node` (a copy) so the pod fits: remove every
 * candidate, check the fit, then add back the most important ones that still let it fit.
 */
export function selectVictimsOnNode(
  h: Handle,
  state: CycleState,
  pod: PodInfo,
  node: NodeInfo,
  pdbs: readonly KubeObject[],
): Victims {
  const potential = node.pods.filter((p) => p.priority < pod.priority);
  for (const p of potential) {
    node.removePod(p.uid);
    const s = h.runPreFilterExtensionRemovePod(state, pod, p, node);
    if (s && !s.isSuccess()) return { pods: [], numPDBViolations: 0, status: s };
  }
  if (potential.length === 0)
    return {
      pods: [],
      numPDBViolations: 0,
      status: new Status('UnschedulableAndUnresolvable', noVictimsMessage),
    };
  const fit = h.runFilterPluginsWithNominatedPods(state, pod, node);
  if (fit && !fit.isSuccess()) return { pods: [], numPDBViolations: 0, status: fit };
  potential.sort(moreImportant);
  const [violating, ok] = splitByPDBViolation(potential, pdbs);
  const victims: PodInfo[] = [];
  const reprieve = (p: PodInfo): boolean => {
    node.addPod(p);
    h.runPreFilterExtensionAddPod(state, pod, p, node);
    const s = h.runFilterPluginsWithNominatedPods(state, pod, node);
    if (s === undefined || s.isSuccess()) return true;
    node.removePod(p.uid);
    h.runPreFilterExtensionRemovePod(state, pod, p, node);
    victims.push(p);
    return false;
  };
  let numPDBViolations = 0;
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of ok) reprieve(p);
  if (violating.length > 0 && ok.length > 0) victims.sort(moreImportant);
  return { pods: victims, numPDBViolations, status: undefined };
}

const terminatingByPreemption = (p: PodInfo) =>
  p.pod.metadata.deletionTimestamp !== undefined &&
  ((p.status.conditions ?? []) as { type?: string; status?: string; reason?: string }[]).some(
    (c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler',
  );

/** Whether the pod may preempt at all, and why not. */
export function podEligibleToPreemptOthers(
  h: Handle,
  pod: PodInfo,
  nominatedStatus: Status,
): [boolean, string] {
  if (pod.preemptionPolicy === 'Never') return [false, 'not eligible due to preemptionPolicy=Never.'];
  const nominated = pod.nominatedNodeName;
  if (nominated !== '') {
    if (nominatedStatus.code === 'UnschedulableAndUnresolvable') return [true, ''];
    const node = h.snapshot.get(nominated);
    if (node?.pods.some((p) => p.priority < pod.priority && terminatingByPreemption(p)))
      return [false, 'not eligible due to a terminating pod on the nominated node.'];
  }
  return [true, ''];
}

export const defaultPreemption: PluginFactory = (h: Handle): PostFilterPlugin => {
  const evaluator = new Evaluator(h, {
    selectVictimsOnNode: (state, pod, node, pdbs) => selectVictimsOnNode(h, state, pod, node, pdbs),
    eligible: (pod, status) => podEligibleToPreemptOthers(h, pod, status),
  });
  return {
    name: defaultPreemptionName,
    async postFilter(state, pod, statuses) {
      const result = await evaluator.preempt(state, pod, statuses);
      const msg = result.status.message();
      if (msg.length > 0) return { ...result, status: new Status(result.status.code, `preemption: ${msg}`) };
      return result;
    },
  };
};

/**
 * Pods nominated to nodes by preemption (upstream's nominator in the scheduling queue): their
 * room on the node is kept for them while the victims terminate.
 */
import type { PodInfo } from './pod-info.ts';

export class Nominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly nodeOf = new Map<string, string>();

  /** Nominates to `override` when given (even ''), else to the pod's status.nominatedNodeName. */
  add(pi: PodInfo, override?: string): void {
    this.delete(pi.uid);
    const node = override ?? pi.nominatedNodeName;
    if (node === '' || pi.nodeName !== '') return;
    this.nodeOf.set(pi.uid, node);
    this.byNode.set(node, [...(this.byNode.get(node) ?? []), pi]);
  }

  /** A new version of the pod: a nomination made in memory survives updates that carry none. */
  update(old: PodInfo, pi: PodInfo): void {
    let override: string | undefined;
    if (old.nominatedNodeName === '' && pi.nominatedNodeName === '') override = this.nodeOf.get(old.uid);
    this.add(pi, override);
  }

  delete(uid: string): void {
    const node = this.nodeOf.get(uid);
    if (node === undefined) return;
    this.nodeOf.delete(uid);
    const rest = (this.byNode.get(node) ?? []).filter((p) => p.uid !== uid);
    if (rest.length > 0) this.byNode.set(node, rest);
    else this.byNode.delete(node);
  }

  nominatedPodsForNode(node: string): PodInfo[] {
    return [...(this.byNode.get(node) ?? [])];
  }

  nominatedNodeOf(uid: string): string | undefined {
    return this.nodeOf.get(uid);
  }
}

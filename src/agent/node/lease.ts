/** The node Lease a kubelet keeps renewed in kube-node-lease (the node lifecycle controller reads it). */

export const leaseNamespace = 'kube-node-lease';
export const leaseDurationSeconds = 40;

/** A MicroTime as the API writes it: `2026-11-23T16:04:05.123456Z`. */
export function microTime(at: number = performance.timeOrigin + performance.now()): string {
  const micros = String(Math.floor(at * 1000) % 1000).padStart(3, '0');
  return new Date(Math.floor(at)).toISOString().replace(/Z$/, `${micros}Z`);
}

/** The node's Lease, owned by the node so that it goes with it. */
export function leaseObject(name: string, nodeUID: string | undefined): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: leaseNamespace,
      ...(nodeUID ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUID }] } : {}),
    },
    spec: leaseSpec(name),
  };
}

export function leaseSpec(name: string) {
  return { holderIdentity: name, leaseDurationSeconds, renewTime: microTime() };
}

/**
 * persistentVolumeClaim volumes: the claim must be bound to a PV that points back at it, and
 * the PV must be a hostPath or local volume (the kinds a single node can serve). Messages as
 * the kubelet's volume manager gives them (getPVCExtractPV).
 */
import { stat } from 'node:fs/promises';
import type { V1PersistentVolumeClaimVolumeSource } from '@kubernetes/client-node';
import { checkHostPathType } from './hostpath.ts';
import type { ObjectSource } from './source.ts';

export interface ClaimedPath {
  hostPath: string;
  pvName: string;
}

/** Resolves the claim to the host path of its volume; throws with a message for the pod's events. */
export async function resolveClaim(
  source: ObjectSource,
  namespace: string,
  ref: V1PersistentVolumeClaimVolumeSource,
): Promise<ClaimedPath> {
  const claimName = ref.claimName;
  const fail = (msg: string) => new Error(`error processing PVC ${namespace}/${claimName}: ${msg}`);
  const pvc = await source.persistentVolumeClaim(namespace, claimName);
  if (!pvc) throw fail(`failed to fetch PVC from API server: persistentvolumeclaim "${claimName}" not found`);
  if (pvc.metadata?.deletionTimestamp) {
    throw fail(`can't start pod because PVC ${namespace}/${claimName} is being deleted`);
  }
  const pvName = pvc.spec?.volumeName ?? '';
  const phase = pvc.status?.phase ?? '';
  if (phase !== 'Bound' || pvName === '') {
    throw fail(
      `PVC ${namespace}/${claimName} has non-bound phase (${JSON.stringify(phase)}) or empty pvc.Spec.VolumeName (${JSON.stringify(pvName)})`,
    );
  }
  const pv = await source.persistentVolume(pvName);
  if (!pv) throw fail(`failed to fetch PV ${pvName} from API server: persistentvolume "${pvName}" not found`);
  const claimRef = pv.spec?.claimRef;
  if (!claimRef) {
    throw fail(
      `found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`,
    );
  }
  const claimUid = pvc.metadata?.uid ?? '';
  if (claimRef.uid !== claimUid) {
    throw fail(
      `found PV object ${pvName} but its pv.Spec.ClaimRef.UID (${claimRef.uid ?? ''}) does not point to claim.UID (${claimUid})`,
    );
  }
  if (pv.spec?.hostPath) {
    await checkHostPathType(pv.spec.hostPath.path, pv.spec.hostPath.type);
    return { hostPath: pv.spec.hostPath.path, pvName };
  }
  if (pv.spec?.local) {
    const path = pv.spec.local.path;
    try {
      await stat(path);
    } catch {
      throw new Error(`path "${path}" does not exist`);
    }
    return { hostPath: path, pvName };
  }
  throw new Error(
    `PV ${pvName} is of a volume type skiff cannot mount (only hostPath and local are supported)`,
  );
}

import type { TableColumns } from '../table.ts';
import { ageColumn, column, intOrString, nameColumn, rec, str, strMap, strOr, strs } from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column(
    'Capacity',
    'string',
    "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity",
  ),
  column(
    'Access Modes',
    'string',
    'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes',
  ),
  column(
    'Reclaim Policy',
    'string',
    'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming',
  ),
  column(
    'Status',
    'string',
    'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase',
  ),
  column(
    'Claim',
    'string',
    'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding',
  ),
  column('StorageClass', 'string', 'StorageClass of the pv'),
  column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
  column(
    'Reason',
    'string',
    'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.',
  ),
  ageColumn,
  column(
    'VolumeMode',
    'string',
    'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.',
    1,
  ),
];

const MODES: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** "RWO,ROX,RWX,RWOP", always in that order (GetAccessModesAsString). */
export function accessModes(v: unknown): string {
  const modes = new Set(strs(v));
  return MODES.filter(([mode]) => modes.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** Storage class: the beta annotation wins over the spec field. */
export const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** A storage quantity as written; Go prints a missing one as "0". */
export const storage = (resources: unknown): string => intOrString(rec(resources).storage) || '0';

export const table: TableColumns = {
  columns,
  cells(pv, now) {
    const spec = rec(pv.spec);
    const status = rec(pv.status);
    const claimRef = spec.claimRef === undefined || spec.claimRef === null ? undefined : rec(spec.claimRef);
    const annotations = strMap(pv.metadata.annotations);
    const storageClass = annotations[BETA_CLASS_ANNOTATION] ?? str(spec.storageClassName);
    return [
      pv.metadata.name ?? '',
      storage(spec.capacity),
      accessModes(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      pv.metadata.deletionTimestamp ? 'Terminating' : str(status.phase),
      claimRef ? `${str(claimRef.namespace)}/${str(claimRef.name)}` : '',
      storageClass,
      strOr(spec.volumeAttributesClassName, '<unset>'),
      str(status.reason),
      age(pv.metadata.creationTimestamp, now),
      strOr(spec.volumeMode, '<unset>'),
    ];
  },
};

import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, str, strMap } from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
  column(
    'ReclaimPolicy',
    'string',
    'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.',
  ),
  column(
    'VolumeBindingMode',
    'string',
    'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.',
  ),
  column(
    'AllowVolumeExpansion',
    'string',
    'allowVolumeExpansion shows whether the storage class allow volume expand.',
  ),
  ageColumn,
];

const DEFAULT_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

export const table: TableColumns = {
  columns,
  cells(sc, now) {
    const annotations = strMap(sc.metadata.annotations);
    const isDefault = DEFAULT_ANNOTATIONS.some((a) => annotations[a] === 'true');
    return [
      `${sc.metadata.name ?? ''}${isDefault ? ' (default)' : ''}`,
      str(sc.provisioner),
      str(sc.reclaimPolicy) || 'Delete',
      str(sc.volumeBindingMode) || 'Immediate',
      sc.allowVolumeExpansion === true,
      age(sc.metadata.creationTimestamp, now),
    ];
  },
};

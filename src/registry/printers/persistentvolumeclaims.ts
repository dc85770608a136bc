import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, rec, str, strMap, strOr } from './common.ts';
import { age } from './duration.ts';
import { accessModes, BETA_CLASS_ANNOTATION, storage } from './persistentvolumes.ts';

const columns = [
  nameColumn,
  column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
  column(
    'Volume',
    'string',
    'volumeName is the binding reference to the PersistentVolume backing this claim.',
  ),
  column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
  column(
    'Access Modes',
    'string',
    'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1',
  ),
  column('StorageClass', 'string', 'StorageClass of the pvc'),
  column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
  ageColumn,
  column(
    'VolumeMode',
    'string',
    'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.',
    1,
  ),
];

export const table: TableColumns = {
  columns,
  cells(pvc, now) {
    const spec = rec(pvc.spec);
    const status = rec(pvc.status);
    const volumeName = str(spec.volumeName);
    const annotations = strMap(pvc.metadata.annotations);
    return [
      pvc.metadata.name ?? '',
      pvc.metadata.deletionTimestamp ? 'Terminating' : str(status.phase),
      volumeName,
      // Capacity and access modes only once bound.
      volumeName ? storage(status.capacity) : '',
      volumeName ? accessModes(status.accessModes) : '',
      annotations[BETA_CLASS_ANNOTATION] ?? str(spec.storageClassName),
      strOr(spec.volumeAttributesClassName, '<unset>'),
      age(pvc.metadata.creationTimestamp, now),
      strOr(spec.volumeMode, '<unset>'),
    ];
  },
};

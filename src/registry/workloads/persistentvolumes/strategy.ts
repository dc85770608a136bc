/** v1 PersistentVolumes: upstream's defaults, ValidatePersistentVolume{,Update}. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { goQuote, goValue } from '../shared/go-syntax.ts';
import {
  specDiff,
  validateAccessModes,
  validateClassName,
  validatePositiveQuantity,
  validateVolumeMode,
} from '../shared/storage.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { child, immutable, type Obj, present, same, setDefault, spec, str, view } from '../shared/values.ts';

/** The volume sources, in the order upstream checks them. */
const sources = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'flocker',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'scaleIO',
  'local',
  'storageos',
  'csi',
];

export function defaultPersistentVolume(obj: KubeObject): void {
  const s = spec(obj);
  if (!s.persistentVolumeReclaimPolicy) s.persistentVolumeReclaimPolicy = 'Retain';
  setDefault(s, 'volumeMode', 'Filesystem');
  if (present(s.hostPath)) setDefault(child(s, 'hostPath'), 'type', '');
  const status = child(obj, 'status');
  if (!status.phase) status.phase = 'Pending';
}

/** The checks of the few sources an edge cluster uses; the others are taken as given. */
function validateSource(name: string, source: Obj, s: Obj): FieldError[] {
  const at = `spec.${name}`;
  const errs: FieldError[] = [];
  const need = (k: string) => {
    if (!str(source[k])) errs.push(field.required(`${at}.${k}`));
  };
  switch (name) {
    case 'hostPath':
    case 'local':
      need('path');
      if (name === 'local' && !present(s.nodeAffinity))
        errs.push(field.required('spec.nodeAffinity', 'Local volumes require node affinity'));
      break;
    case 'nfs':
      need('server');
      need('path');
      if (str(source.path) && !str(source.path).startsWith('/'))
        errs.push(field.invalid(`${at}.path`, str(source.path), 'must be an absolute path'));
      break;
    case 'csi':
      need('driver');
      need('volumeHandle');
      break;
  }
  return errs;
}

export function validatePersistentVolume(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs = validateAccessModes(s, 'spec.accessModes', '');
  const capacity = view(s, 'capacity');
  const resources = Object.keys(capacity);
  if (resources.length === 0) errs.push(field.required('spec.capacity'));
  if (!('storage' in capacity) || resources.length > 1) {
    const shown = `core.ResourceList{${resources
      .sort()
      .map((r) => `${goQuote(r)}:${goQuote(String(capacity[r]))}`)
      .join(', ')}}`;
    errs.push(field.notSupported('spec.capacity', goValue(shown), ['storage']));
  }
  for (const r of resources) errs.push(...validatePositiveQuantity(capacity[r], `spec.capacity[${r}]`));
  const policy = str(s.persistentVolumeReclaimPolicy);
  if (policy && !['Delete', 'Recycle', 'Retain'].includes(policy))
    errs.push(
      field.notSupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']),
    );
  errs.push(...validateClassName(s, 'spec.storageClassName'), ...validateVolumeMode(s, 'spec.volumeMode'));
  let count = 0;
  for (const name of sources) {
    if (!present(s[name])) continue;
    if (count > 0) errs.push(field.forbidden(`spec.${name}`, 'may not specify more than 1 volume type'));
    else errs.push(...validateSource(name, view(s, name), s));
    count++;
  }
  if (count === 0) errs.push(field.required('spec', 'must specify a volume type'));
  return errs;
}

export function validatePersistentVolumeUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const source = (o: KubeObject) =>
    Object.fromEntries(sources.map((k) => [k, spec(o)[k]]).filter(([, v]) => present(v)));
  const errs: FieldError[] = [];
  if (!same(source(obj), source(old)))
    errs.push(
      field.forbidden(
        'spec.persistentvolumesource',
        `spec.persistentvolumesource is immutable after creation\n${specDiff('core.PersistentVolumeSource', source(old), source(obj))}`,
      ),
    );
  // sic: upstream names this path without `spec.`.
  errs.push(...immutable(spec(obj).volumeMode, spec(old).volumeMode, 'volumeMode'));
  const affinity = spec(obj).nodeAffinity;
  if (present(spec(old).nodeAffinity) && !same(affinity, spec(old).nodeAffinity))
    errs.push(
      field.invalid(
        'nodeAffinity',
        affinity ?? null,
        'field is immutable, except for updating from beta label to GA',
      ),
    );
  return errs;
}

export function persistentVolumeStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    generation: false,
    defaults: defaultPersistentVolume,
    validate: validatePersistentVolume,
    validateUpdate: validatePersistentVolumeUpdate,
  });
}

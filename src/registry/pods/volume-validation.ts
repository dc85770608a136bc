/** Upstream's ValidateVolumes for the volume sources pods commonly use. */
import { type FieldError, field } from '../../api/field-errors.ts';
import { dns1123Label } from '../../api/names.ts';
import { isObject } from '../../api/object.ts';
import { downwardAPIFieldRefErrors } from './env-validation.ts';
import { asObject, type Obj, objects, str } from './json.ts';
import { fileModeErrors, localDescendingPath, localNonReservedPath, noBacksteps } from './paths.ts';
import { compareQuantities, tryQuantity, zeroQuantity } from './quantity.ts';
import { volumeSources } from './volume-sources.ts';

const hostPathTypes = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];

function keyToPaths(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(items).forEach((kp, i) => {
    const p = `${path}[${i}]`;
    if (!str(kp.key)) errs.push(field.required(`${p}.key`));
    if (!str(kp.path)) errs.push(field.required(`${p}.path`));
    errs.push(...localNonReservedPath(str(kp.path), `${p}.path`), ...fileModeErrors(kp.mode, `${p}.mode`));
  });
  return errs;
}

function downwardAPIFiles(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const file of objects(items)) {
    if (!str(file.path)) errs.push(field.required(`${path}.path`));
    errs.push(...localNonReservedPath(str(file.path), `${path}.path`));
    if (isObject(file.fieldRef)) {
      errs.push(...downwardAPIFieldRefErrors(file.fieldRef, `${path}.fieldRef`, true));
      if (isObject(file.resourceFieldRef))
        errs.push(
          field.invalid(
            path,
            'resource',
            'fieldRef and resourceFieldRef can not be specified simultaneously',
          ),
        );
    } else if (isObject(file.resourceFieldRef)) {
      if (!str(file.resourceFieldRef.containerName))
        errs.push(field.required(`${path}.resourceFieldRef.containerName`));
    } else {
      errs.push(field.required(path, 'one of fieldRef and resourceFieldRef is required'));
    }
    errs.push(...fileModeErrors(file.mode, `${path}.mode`));
  }
  return errs;
}

function projectedSources(projected: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(projected.sources).forEach((source, i) => {
    const p = `${path}.sources[${i}]`;
    let count = 0;
    for (const kind of ['secret', 'configMap']) {
      if (!isObject(source[kind])) continue;
      count++;
      if (!str(source[kind].name)) errs.push(field.required(`${p}.${kind}.name`));
      errs.push(...keyToPaths(source[kind].items, `${p}.${kind}.items`));
    }
    if (isObject(source.downwardAPI)) {
      count++;
      errs.push(...downwardAPIFiles(source.downwardAPI.items, `${p}.downwardAPI`));
    }
    const token = source.serviceAccountToken;
    if (isObject(token)) {
      count++;
      const seconds = typeof token.expirationSeconds === 'number' ? token.expirationSeconds : 0;
      const sp = `${p}.serviceAccountToken.expirationSeconds`;
      if (seconds < 600)
        errs.push(field.invalid(sp, seconds, 'may not specify a duration less than 10 minutes'));
      if (seconds > 2 ** 32)
        errs.push(field.invalid(sp, seconds, 'may not specify a duration larger than 2^32 seconds'));
      if (!str(token.path)) errs.push(field.required(`${path}.path`));
      else errs.push(...localNonReservedPath(str(token.path), `${path}.path`));
    }
    if (isObject(source.clusterTrustBundle)) count++;
    if (count > 1) errs.push(field.forbidden(p, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

/** The checks of one source's own fields (the sources users commonly write). */
function sourceErrors(kind: string, source: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'emptyDir': {
      const limit = tryQuantity(source.sizeLimit);
      if (limit && compareQuantities(limit, zeroQuantity) < 0)
        errs.push(field.forbidden(`${path}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
      break;
    }
    case 'hostPath':
      if (!str(source.path)) return [field.required(`${path}.path`)];
      errs.push(...noBacksteps(str(source.path), `${path}.path`));
      if (typeof source.type === 'string' && !hostPathTypes.includes(source.type))
        errs.push(field.notSupported(`${path}.type`, source.type, hostPathTypes));
      break;
    case 'gitRepo':
      if (!str(source.repository)) errs.push(field.required(`${path}.repository`));
      errs.push(...localDescendingPath(str(source.directory), `${path}.directory`));
      break;
    case 'secret':
      if (!str(source.secretName)) errs.push(field.required(`${path}.secretName`));
      errs.push(...fileModeErrors(source.defaultMode, `${path}.defaultMode`));
      errs.push(...keyToPaths(source.items, `${path}.items`));
      break;
    case 'configMap':
      if (!str(source.name)) errs.push(field.required(`${path}.name`));
      errs.push(...fileModeErrors(source.defaultMode, `${path}.defaultMode`));
      errs.push(...keyToPaths(source.items, `${path}.items`));
      break;
    case 'nfs':
      if (!str(source.server)) errs.push(field.required(`${path}.server`));
      if (!str(source.path)) errs.push(field.required(`${path}.path`));
      if (!str(source.path).startsWith('/'))
        errs.push(field.invalid(`${path}.path`, str(source.path), 'must be an absolute path'));
      break;
    case 'persistentVolumeClaim':
      if (!str(source.claimName)) errs.push(field.required(`${path}.claimName`));
      break;
    case 'downwardAPI':
      errs.push(...fileModeErrors(source.defaultMode, `${path}.defaultMode`));
      errs.push(...downwardAPIFiles(source.items, path));
      break;
    case 'projected':
      errs.push(...fileModeErrors(source.defaultMode, `${path}.defaultMode`));
      errs.push(...projectedSources(source, path));
      break;
    case 'csi':
      if (!str(source.driver)) errs.push(field.required(`${path}.driver`));
      break;
  }
  return errs;
}

function volumeSourceErrors(volume: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const [key, errorName] of volumeSources) {
    if (!isObject(volume[key])) continue;
    if (count > 0) {
      errs.push(field.forbidden(`${path}.${errorName}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...sourceErrors(key, asObject(volume[key]), `${path}.${key}`));
  }
  if (count === 0) errs.push(field.required(path, 'must specify a volume type'));
  return errs;
}

/** Validates spec.volumes; returns the valid volumes by name (what mounts may refer to). */
export function validateVolumes(
  volumes: unknown,
  path: string,
): { volumes: Map<string, Obj>; errs: FieldError[] } {
  const valid = new Map<string, Obj>();
  const errs: FieldError[] = [];
  objects(volumes).forEach((volume, i) => {
    const p = `${path}[${i}]`;
    const name = str(volume.name);
    const el = volumeSourceErrors(volume, p);
    if (!name) el.push(field.required(`${p}.name`));
    else for (const msg of dns1123Label(name)) el.push(field.invalid(`${p}.name`, name, msg));
    if (valid.has(name)) el.push(field.duplicate(`${p}.name`, name));
    if (el.length === 0) valid.set(name, volume);
    else errs.push(...el);
  });
  return { volumes: valid, errs };
}

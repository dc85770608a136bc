/** Upstream's ValidateEnv, ValidateEnvFrom and the downward API field selectors. */
import { type FieldError, field } from '../../api/field-errors.ts';
import { isObject } from '../../api/object.ts';
import { qualifiedNameErrors } from '../../api/selectors/validation.ts';
import { type Obj, objects, str } from './json.ts';
import { subdomainName } from './paths.ts';
import { quantityString, tryQuantity } from './quantity.ts';

const envVarNameMessage =
  "a valid environment variable name must consist only of printable ASCII characters other than '='";

/** RelaxedEnvironmentVariableValidation (beta, on in 1.32): printable ASCII except '='. */
export function envVarNameMessages(name: string): string[] {
  if (name === '') return ['environment variable name must be non-empty'];
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(name) ? [] : [envVarNameMessage];
}

const configMapKeyFormat = '[-._a-zA-Z0-9]+';

function configMapKeyMessages(key: string): string[] {
  const msgs: string[] = [];
  if (key.length > 253) msgs.push('must be no more than 253 characters');
  if (!new RegExp(`^${configMapKeyFormat}$`).test(key)) {
    msgs.push(
      `a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '${configMapKeyFormat}')`,
    );
  }
  if (key === '.') msgs.push("must not be '.'");
  else if (key === '..') msgs.push("must not be '..'");
  else if (key.startsWith('..')) msgs.push("must not start with '..'");
  return msgs;
}

/** Field labels the v1 downward API knows (ConvertDownwardAPIFieldLabel). */
const downwardLabels = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);
const envFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const volumeFieldPaths = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];

/** `metadata.labels['key']` → [path, subscript]. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

/** An ObjectFieldSelector (env valueFrom.fieldRef, downwardAPI volume items). */
export function downwardAPIFieldRefErrors(ref: Obj, path: string, forVolume: boolean): FieldError[] {
  const apiVersion = str(ref.apiVersion);
  const fieldPath = str(ref.fieldPath);
  if (!apiVersion) return [field.required(`${path}.apiVersion`)];
  if (!fieldPath) return [field.required(`${path}.fieldPath`)];
  const subscripted = splitSubscript(fieldPath);
  let converted = '';
  if (apiVersion !== 'v1') converted = `unsupported pod version: ${apiVersion}`;
  else if (subscripted && !['metadata.annotations', 'metadata.labels'].includes(subscripted[0]))
    converted = `field label does not support subscript: ${fieldPath}`;
  else if (!subscripted && !downwardLabels.has(fieldPath) && fieldPath !== 'spec.host')
    converted = `field label not supported: ${fieldPath}`;
  if (converted)
    return [field.invalid(`${path}.fieldPath`, fieldPath, `error converting fieldPath: ${converted}`)];
  if (subscripted) {
    const [p, key] = subscripted;
    const name = p === 'metadata.annotations' ? key.toLowerCase() : key;
    return qualifiedNameErrors(name).map((msg) => field.invalid(path, name, msg));
  }
  const internal = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  const allowed = forVolume ? volumeFieldPaths : envFieldPaths;
  return allowed.includes(internal) ? [] : [field.notSupported(`${path}.fieldPath`, internal, allowed)];
}

const resourceFieldPaths = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];

function resourceFieldRefErrors(ref: Obj, path: string): FieldError[] {
  const resource = str(ref.resource);
  if (!resource) return [field.required(`${path}.resource`)];
  const errs: FieldError[] = [];
  if (!resourceFieldPaths.includes(resource) && !/^(requests|limits)\.hugepages-/.test(resource))
    errs.push(field.notSupported(`${path}.resource`, resource, resourceFieldPaths));
  const divisor = tryQuantity(ref.divisor);
  const d = divisor ? quantityString(divisor) : '0';
  if (d !== '0' && resource.endsWith('.cpu') && !['1m', '1'].includes(d))
    errs.push(
      field.invalid(
        `${path}.divisor`,
        resource,
        "only divisor's values 1m and 1 are supported with the cpu resource",
      ),
    );
  return errs;
}

function keySelectorErrors(ref: Obj, path: string): FieldError[] {
  const errs = subdomainName(str(ref.name)).map((msg) => field.invalid(`${path}.name`, str(ref.name), msg));
  const key = str(ref.key);
  if (!key) errs.push(field.required(`${path}.key`));
  else errs.push(...configMapKeyMessages(key).map((msg) => field.invalid(`${path}.key`, key, msg)));
  return errs;
}

function valueFromErrors(env: Obj, path: string): FieldError[] {
  if (!isObject(env.valueFrom)) return [];
  const from = env.valueFrom;
  const errs: FieldError[] = [];
  let sources = 0;
  if (isObject(from.fieldRef)) {
    sources++;
    errs.push(...downwardAPIFieldRefErrors(from.fieldRef, `${path}.fieldRef`, false));
  }
  if (isObject(from.resourceFieldRef)) {
    sources++;
    errs.push(...resourceFieldRefErrors(from.resourceFieldRef, `${path}.resourceFieldRef`));
  }
  for (const kind of ['configMapKeyRef', 'secretKeyRef']) {
    if (!isObject(from[kind])) continue;
    sources++;
    errs.push(...keySelectorErrors(from[kind], `${path}.${kind}`));
  }
  if (sources === 0)
    errs.push(
      field.invalid(
        path,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    );
  else if (str(env.value) !== '')
    errs.push(field.invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1)
    errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  return errs;
}

export function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(env).forEach((e, i) => {
    const p = `${path}[${i}]`;
    const name = str(e.name);
    if (!name) errs.push(field.required(`${p}.name`));
    else errs.push(...envVarNameMessages(name).map((msg) => field.invalid(`${p}.name`, name, msg)));
    errs.push(...valueFromErrors(e, `${p}.valueFrom`));
  });
  return errs;
}

export function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(envFrom).forEach((e, i) => {
    const p = `${path}[${i}]`;
    const prefix = str(e.prefix);
    if (prefix)
      errs.push(...envVarNameMessages(prefix).map((msg) => field.invalid(`${p}.prefix`, prefix, msg)));
    let sources = 0;
    for (const kind of ['configMapRef', 'secretRef']) {
      const ref = e[kind];
      if (!isObject(ref)) continue;
      sources++;
      const name = str(ref.name);
      if (!name) errs.push(field.required(`${p}.${kind}.name`));
      else
        errs.push(...subdomainName(name, true).map((msg) => field.invalid(`${p}.${kind}.name`, name, msg)));
    }
    if (sources === 0)
      errs.push(field.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1)
      errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

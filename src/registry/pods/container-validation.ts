/** Upstream's validation of regular and init containers (validateContainerCommon and friends). */
import { type FieldError, field } from '../../api/field-errors.ts';
import { dns1123Label } from '../../api/names.ts';
import { isObject } from '../../api/object.ts';
import { validateEnv, validateEnvFrom } from './env-validation.ts';
import { type Obj, objects, str } from './json.ts';
import { localDescendingPath, portNameMessages, portNumMessages } from './paths.ts';
import { validateHandler, validateProbe } from './probe-validation.ts';
import { validateResources } from './resources-validation.ts';

const protocols = ['SCTP', 'TCP', 'UDP'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const messagePolicies = ['File', 'FallbackToLogsOnError'];
const propagations = ['Bidirectional', 'HostToContainer', 'None'];

function validatePorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objects(ports).forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = str(port.name);
    if (name) {
      const msgs = portNameMessages(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => field.invalid(`${p}.name`, name, m)));
      else if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const containerPort = typeof port.containerPort === 'number' ? port.containerPort : 0;
    if (containerPort === 0) errs.push(field.required(`${p}.containerPort`));
    else
      errs.push(
        ...portNumMessages(containerPort).map((m) => field.invalid(`${p}.containerPort`, containerPort, m)),
      );
    if (typeof port.hostPort === 'number' && port.hostPort !== 0) {
      const hostPort = port.hostPort;
      errs.push(...portNumMessages(hostPort).map((m) => field.invalid(`${p}.hostPort`, hostPort, m)));
    }
    const protocol = str(port.protocol);
    if (!protocol) errs.push(field.required(`${p}.protocol`));
    else if (!protocols.includes(protocol))
      errs.push(field.notSupported(`${p}.protocol`, protocol, protocols));
  });
  return errs;
}

function validateVolumeMounts(c: Obj, volumes: Map<string, Obj>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  const devices = objects(c.volumeDevices);
  const privileged = isObject(c.securityContext) && c.securityContext.privileged === true;
  objects(c.volumeMounts).forEach((m, i) => {
    const p = `${path}[${i}]`;
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (!name) errs.push(field.required(`${p}.name`));
    // Upstream reports `Not found: "x"`; FieldErrorType has no NotFound yet (see the report).
    if (!volumes.has(name)) errs.push(field.notFound(`${p}.name`, name));
    if (!mountPath) errs.push(field.required(`${p}.mountPath`));
    if (mountPaths.has(mountPath)) errs.push(field.invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    if (devices.some((d) => str(d.name) === name))
      errs.push(field.invalid(`${p}.name`, name, 'must not already exist in volumeDevices'));
    if (devices.some((d) => str(d.devicePath) === mountPath))
      errs.push(
        field.invalid(`${p}.mountPath`, mountPath, 'must not already exist as a path in volumeDevices'),
      );
    const subPath = str(m.subPath);
    const subPathExpr = str(m.subPathExpr);
    if (subPath) errs.push(...localDescendingPath(subPath, `${path}.subPath`));
    if (subPathExpr) {
      if (subPath)
        errs.push(
          field.invalid(`${p}.subPathExpr`, subPathExpr, 'subPathExpr and subPath are mutually exclusive'),
        );
      errs.push(...localDescendingPath(subPathExpr, `${path}.subPathExpr`));
    }
    if (typeof m.mountPropagation === 'string') {
      const mp = m.mountPropagation;
      if (!propagations.includes(mp))
        errs.push(field.notSupported(`${path}.mountPropagation`, mp, propagations));
      if (mp === 'Bidirectional' && !privileged)
        errs.push(
          field.forbidden(
            `${path}.mountPropagation`,
            'Bidirectional mount propagation is available only to privileged containers',
          ),
        );
    }
  });
  return errs;
}

/** What every container (regular, init) must satisfy. */
function validateContainerCommon(c: Obj, volumes: Map<string, Obj>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(field.required(`${path}.name`));
  else errs.push(...dns1123Label(name).map((m) => field.invalid(`${path}.name`, name, m)));
  if (!str(c.image)) errs.push(field.required(`${path}.image`));
  const policy = str(c.terminationMessagePolicy);
  if (!policy) errs.push(field.required(`${path}.terminationMessagePolicy`));
  else if (!messagePolicies.includes(policy))
    errs.push(field.notSupported(`${path}.terminationMessagePolicy`, policy, messagePolicies));
  errs.push(...validatePorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateEnvFrom(c.envFrom, `${path}.envFrom`));
  errs.push(...validateVolumeMounts(c, volumes, `${path}.volumeMounts`));
  const pull = str(c.imagePullPolicy);
  if (!pull) errs.push(field.required(`${path}.imagePullPolicy`));
  else if (!pullPolicies.includes(pull))
    errs.push(field.notSupported(`${path}.imagePullPolicy`, pull, pullPolicies));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  if (isObject(c.securityContext)) {
    const sc = c.securityContext;
    for (const key of ['runAsUser', 'runAsGroup']) {
      const id = sc[key];
      if (typeof id === 'number' && (id < 0 || id > 2147483647))
        errs.push(
          field.invalid(`${path}.securityContext.${key}`, id, 'must be between 0 and 2147483647, inclusive'),
        );
    }
  }
  return errs;
}

/** Lifecycle hooks and probes, as regular containers (and sidecars) may have them. */
function validateHooksAndProbes(c: Obj, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isObject(c.lifecycle)) {
    for (const hook of ['postStart', 'preStop']) {
      const handler = c.lifecycle[hook];
      if (isObject(handler))
        errs.push(...validateHandler(handler, 'lifecycle', gracePeriod, `${path}.lifecycle.${hook}`));
    }
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const value = c[probe];
    if (isObject(value)) errs.push(...validateProbe(value, probe, gracePeriod, `${path}.${probe}`));
  }
  return errs;
}

/** Host ports in use (protocol/hostIP/port) must be unique among the given containers. */
function hostPortConflicts(containers: { c: Obj; i: number }[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const { c, i } of containers) {
    objects(c.ports).forEach((port, j) => {
      if (typeof port.hostPort !== 'number' || port.hostPort === 0) return;
      const key = `${str(port.protocol)}/${str(port.hostIP)}/${port.hostPort}`;
      if (seen.has(key)) errs.push(field.duplicate(`${path}[${i}].ports[${j}].hostPort`, key));
      else seen.add(key);
    });
  }
  return errs;
}

export function validateContainers(
  spec: Obj,
  volumes: Map<string, Obj>,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  const containers = objects(spec.containers);
  if (containers.length === 0) return [field.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = str(c.name);
    if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
    else names.add(name);
    errs.push(...validateHooksAndProbes(c, gracePeriod, p));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null)
      errs.push(field.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(
    ...hostPortConflicts(
      containers.map((c, i) => ({ c, i })),
      path,
    ),
  );
  return errs;
}

export function validateInitContainers(
  spec: Obj,
  volumes: Map<string, Obj>,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(objects(spec.containers).map((c) => str(c.name)));
  objects(spec.initContainers).forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    const restartPolicy = c.restartPolicy;
    if (restartPolicy !== undefined && restartPolicy !== null && restartPolicy !== 'Always')
      errs.push(field.notSupported(`${p}.restartPolicy`, restartPolicy, ['Always']));
    const name = str(c.name);
    if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
    else if (name) names.add(name);
    errs.push(...hostPortConflicts([{ c, i }], path));
    if (restartPolicy === 'Always') errs.push(...validateHooksAndProbes(c, gracePeriod, p));
    else {
      for (const key of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[key] !== undefined && c[key] !== null)
          errs.push(
            field.forbidden(`${p}.${key}`, 'may not be set for init containers without restartPolicy=Always'),
          );
      }
    }
  });
  return errs;
}

/** Fields an ephemeral container may not set (upstream's allowedEphemeralContainerFields). */
const ephemeralForbidden = [
  'ports',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
];

const isSet = (v: unknown) =>
  v !== undefined &&
  v !== null &&
  !(isObject(v) && Object.keys(v).length === 0) &&
  !(Array.isArray(v) && v.length === 0);

export function validateEphemeralContainers(
  spec: Obj,
  volumes: Map<string, Obj>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const others = new Set(
    [...objects(spec.containers), ...objects(spec.initContainers)].map((c) => str(c.name)),
  );
  const names = new Set(others);
  objects(spec.ephemeralContainers).forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    const image = str(c.image);
    if (image !== image.trim())
      errs.push(field.invalid(`${p}.image`, image, 'must not have leading or trailing whitespace'));
    const name = str(c.name);
    if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
    else names.add(name);
    const target = str(c.targetContainerName);
    // Upstream reports `Not found: "x"`, as for volume mounts.
    if (target && !others.has(target)) errs.push(field.notFound(`${p}.targetContainerName`, target));
    for (const key of ephemeralForbidden)
      if (isSet(c[key]))
        errs.push(field.forbidden(`${p}.${key}`, 'cannot be set for an Ephemeral Container'));
    objects(c.volumeMounts).forEach((m, j) => {
      for (const key of ['subPath', 'subPathExpr'])
        if (str(m[key]))
          errs.push(
            field.forbidden(`${p}.volumeMounts[${j}].${key}`, 'cannot be set for an Ephemeral Container'),
          );
    });
  });
  return errs;
}

/**
 * Upstream's v1 defaulting of pods and pod specs (pkg/apis/core/v1/defaults.go and the
 * generated `+default` markers). Every function is idempotent: running it twice changes nothing.
 */
import { isObject } from '../../api/object.ts';
import { addDefaultTolerations, defaultPriority } from './admission.ts';
import { asObject, child, containersOf, type Obj, objects, setDefault, str } from './json.ts';
import { canonicalQuantity } from './quantity.ts';
import { volumeSources } from './volume-sources.ts';

const fileModeDefault = 0o644; // 420, as upstream's secret/configMap/downwardAPI/projected defaultMode
const tokenExpirationDefault = 3600;

/**
 * The tag as upstream's ParseImageName reads it: "latest" when neither tag nor digest is given,
 * "" when the reference does not parse (empty, spaces, upper case in the repository).
 */
export function imageTag(image: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._:/@+=-]*$/.test(image)) return '';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.indexOf(':', name.lastIndexOf('/') + 1);
  const repository = colon >= 0 ? name.slice(0, colon) : name;
  if (/[A-Z]/.test(repository)) return '';
  const tag = colon >= 0 ? name.slice(colon + 1) : '';
  return tag === '' && at < 0 ? 'latest' : tag;
}

/**
 * Requests and limits in canonical form, rounded up to milli-units (SetDefaults_ResourceList);
 * an empty list is omitted, as upstream serializes it.
 */
function defaultResources(resources: Obj): void {
  for (const key of ['limits', 'requests']) {
    const list = resources[key];
    if (!isObject(list)) continue;
    if (Object.keys(list).length === 0) delete resources[key];
    for (const [name, value] of Object.entries(list)) list[name] = canonicalQuantity(value, true);
  }
}

function defaultHTTPGet(action: unknown): void {
  if (!isObject(action)) return;
  if (!action.path) action.path = '/';
  if (!action.scheme) action.scheme = 'HTTP';
}

function defaultHandler(handler: unknown): void {
  if (!isObject(handler)) return;
  defaultHTTPGet(handler.httpGet);
  if (isObject(handler.grpc)) setDefault(handler.grpc, 'service', '');
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  defaultHandler(probe);
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
}

function defaultFieldRefs(holder: Obj): void {
  if (isObject(holder.fieldRef) && !holder.fieldRef.apiVersion) holder.fieldRef.apiVersion = 'v1';
  if (isObject(holder.resourceFieldRef)) {
    const ref = holder.resourceFieldRef;
    ref.divisor = ref.divisor === undefined || ref.divisor === null ? '0' : canonicalQuantity(ref.divisor);
  }
}

function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(str(c.image)) === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  defaultResources(child(c, 'resources'));
  for (const port of objects(c.ports)) if (!port.protocol) port.protocol = 'TCP';
  for (const env of objects(c.env)) if (isObject(env.valueFrom)) defaultFieldRefs(env.valueFrom);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[probe]);
  if (isObject(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
}

/** A volume with none of the known sources becomes an emptyDir (SetDefaults_Volume). */
function hasSource(volume: Obj): boolean {
  return volumeSources.some(([key]) => isObject(volume[key]));
}

function defaultVolume(v: Obj): void {
  if (!hasSource(v)) v.emptyDir = {};
  if (isObject(v.emptyDir) && v.emptyDir.sizeLimit !== undefined && v.emptyDir.sizeLimit !== null)
    v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit);
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (isObject(v[key])) setDefault(v[key], 'defaultMode', fileModeDefault);
  }
  if (isObject(v.hostPath)) setDefault(v.hostPath, 'type', '');
  if (isObject(v.downwardAPI)) for (const item of objects(v.downwardAPI.items)) defaultFieldRefs(item);
  if (isObject(v.projected)) {
    for (const source of objects(v.projected.sources)) {
      if (isObject(source.serviceAccountToken))
        setDefault(source.serviceAccountToken, 'expirationSeconds', tokenExpirationDefault);
      if (isObject(source.downwardAPI))
        for (const item of objects(source.downwardAPI.items)) defaultFieldRefs(item);
    }
  }
  const claimSpec = asObject(asObject(v.ephemeral).volumeClaimTemplate).spec;
  if (isObject(claimSpec)) setDefault(claimSpec, 'volumeMode', 'Filesystem');
}

/**
 * SetDefaults_PodSpec and what applies to every pod spec, in pods and in workload templates
 * alike. (Upstream keeps a few defaults for pods only: see defaultPodOnly.)
 */
export function defaultPodSpec(spec: Record<string, unknown>): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // serviceAccount is the deprecated alias of serviceAccountName; the API always shows both.
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount)
    spec.serviceAccountName = spec.serviceAccount;
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName)
    spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
  for (const { container } of containersOf(spec, 'spec')) defaultContainer(container);
  for (const volume of objects(spec.volumes)) defaultVolume(volume);
}

/**
 * SetDefaults_Pod: what only a Pod (not a template) gets. Requests default to limits for each
 * resource a container limits but does not request; with hostNetwork, hostPort follows
 * containerPort.
 */
export function defaultPodOnly(spec: Obj): void {
  for (const kind of ['containers', 'initContainers']) {
    for (const c of objects(spec[kind])) {
      const resources = child(c, 'resources');
      if (!isObject(resources.limits) || Object.keys(resources.limits).length === 0) continue;
      const requests = child(resources, 'requests');
      for (const [name, value] of Object.entries(resources.limits)) {
        if (!(name in requests)) requests[name] = value;
      }
    }
  }
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const kind of ['containers', 'initContainers']) {
      for (const c of objects(spec[kind])) {
        for (const port of objects(c.ports)) if (!port.hostPort) port.hostPort = port.containerPort;
      }
    }
  }
}

/**
 * A Pod's defaults: the spec's, the pod-only ones, and what the DefaultTolerationSeconds and
 * Priority admission plugins add.
 */
export function defaultPod(pod: Record<string, unknown>): void {
  const spec = child(pod, 'spec');
  defaultPodSpec(spec);
  defaultPodOnly(spec);
  addDefaultTolerations(spec);
  defaultPriority(spec);
}

/** A workload's pod template: its spec's defaults, and metadata as upstream prints it. */
export function defaultPodTemplate(template: Record<string, unknown> | undefined): void {
  if (!template) return;
  const metadata = child(template, 'metadata');
  if (metadata.creationTimestamp === undefined) metadata.creationTimestamp = null;
  defaultPodSpec(child(template, 'spec'));
}

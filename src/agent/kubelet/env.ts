/**
 * A container's environment as the kubelet builds it (kubelet_pods.go makeEnvironmentVariables):
 * envFrom first, then env in order (each value may use `$(VAR)` of what came before and of the
 * service variables), then the service link variables that nothing overrode.
 */
import type { V1Container, V1EnvVar, V1Pod, V1Service } from '@kubernetes/client-node';
import { expand, lookupIn } from '../volumes/expansion.ts';
import { fieldRefValue, resourceFieldValue, withDefaultLimits } from '../volumes/fieldpath.ts';
import { notFoundMessage, type ObjectSource } from '../volumes/source.ts';

export interface EnvVar {
  key: string;
  value: string;
}

export interface EnvOptions {
  podIp?: string;
  podIps?: string[];
  hostIp?: string;
  hostIps?: string[];
  nodeName?: string;
  /** The node's allocatable resources; `limits.*` a container leaves unset reads these. */
  allocatable?: Record<string, string>;
  /** Services visible to the node (all namespaces); the pod's own and `default/kubernetes` are used. */
  services?: V1Service[];
}

export interface ContainerEnv {
  env: EnvVar[];
  /** Events to record (reason InvalidEnvironmentVariableNames) for envFrom keys that were skipped. */
  warnings: string[];
}

/**
 * A reference the container cannot start without; the kubelet reports its message as the
 * container's CreateContainerConfigError.
 */
export class EnvError extends Error {
  override name = 'EnvError';
}

/** Printable ASCII without '=', the relaxed rule the API server validates env names by. */
const validEnvName = /^[\x20-\x3c\x3e-\x7e]+$/;

const envName = (s: string) => s.replaceAll('-', '_').toUpperCase();

function isServiceIpSet(svc: V1Service): boolean {
  const ip = svc.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The `<SVC>_SERVICE_HOST` / `_PORT` and docker-link variables of one service (envvars.FromServices). */
export function serviceVariables(svc: V1Service): EnvVar[] {
  const ports = svc.spec?.ports ?? [];
  if (!isServiceIpSet(svc) || ports.length === 0) return [];
  const ip = svc.spec!.clusterIP!;
  const prefix = envName(svc.metadata?.name ?? '');
  const out: EnvVar[] = [{ key: `${prefix}_SERVICE_HOST`, value: ip }];
  out.push({ key: `${prefix}_SERVICE_PORT`, value: String(ports[0]!.port) });
  for (const p of ports) {
    if (p.name) out.push({ key: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
  }
  ports.forEach((p, i) => {
    const protocol = p.protocol || 'TCP';
    const url = `${protocol.toLowerCase()}://${joinHostPort(ip, p.port)}`;
    if (i === 0) out.push({ key: `${prefix}_PORT`, value: url });
    const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
    out.push({ key: portPrefix, value: url });
    out.push({ key: `${portPrefix}_PROTO`, value: protocol.toLowerCase() });
    out.push({ key: `${portPrefix}_PORT`, value: String(p.port) });
    out.push({ key: `${portPrefix}_ADDR`, value: ip });
  });
  return out;
}

/**
 * The service variables a pod in `namespace` sees: every service of its namespace when
 * enableServiceLinks, and always `default/kubernetes` (upstream's getServiceEnvVarMap).
 */
export function serviceEnvironment(
  services: readonly V1Service[],
  namespace: string,
  enableServiceLinks: boolean,
): Map<string, string> {
  const chosen = new Map<string, V1Service>();
  for (const svc of services) {
    if (!isServiceIpSet(svc)) continue;
    const name = svc.metadata?.name ?? '';
    const ns = svc.metadata?.namespace ?? 'default';
    if (ns === 'default' && name === 'kubernetes') {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (ns === namespace && enableServiceLinks) {
      chosen.set(name, svc);
    }
  }
  const env = new Map<string, string>();
  for (const name of [...chosen.keys()].sort()) {
    for (const v of serviceVariables(chosen.get(name)!)) env.set(v.key, v.value);
  }
  return env;
}

/** Reads and caches the configMaps and secrets one container refers to. */
class Refs {
  readonly #source: ObjectSource;
  readonly #namespace: string;
  readonly #configMaps = new Map<string, Record<string, string> | undefined>();
  readonly #secrets = new Map<string, Record<string, string> | undefined>();

  constructor(source: ObjectSource, namespace: string) {
    this.#source = source;
    this.#namespace = namespace;
  }

  /** The configMap's data, or undefined when it is missing. */
  async configMap(name: string): Promise<Record<string, string> | undefined> {
    if (!this.#configMaps.has(name)) {
      const cm = await this.#source.configMap(this.#namespace, name);
      this.#configMaps.set(name, cm ? (cm.data ?? {}) : undefined);
    }
    return this.#configMaps.get(name);
  }

  /** The secret's data decoded to text, or undefined when it is missing. */
  async secret(name: string): Promise<Record<string, string> | undefined> {
    if (!this.#secrets.has(name)) {
      const s = await this.#source.secret(this.#namespace, name);
      const data = s
        ? Object.fromEntries(
            Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
          )
        : undefined;
      this.#secrets.set(name, data);
    }
    return this.#secrets.get(name);
  }
}

/** The value of one `env` entry, or undefined when an optional reference is absent. */
async function resolveEntry(
  entry: V1EnvVar,
  pod: V1Pod,
  container: V1Container,
  refs: Refs,
  options: EnvOptions,
  lookup: (name: string) => string | undefined,
): Promise<string | undefined> {
  const ns = pod.metadata?.namespace ?? 'default';
  if (entry.value) return expand(entry.value, lookup);
  const from = entry.valueFrom;
  if (!from) return '';
  if (from.fieldRef) {
    const podWithNode =
      pod.spec?.nodeName || !options.nodeName
        ? pod
        : { ...pod, spec: { ...pod.spec!, nodeName: options.nodeName } };
    return fieldRefValue(from.fieldRef, podWithNode, options);
  }
  if (from.resourceFieldRef) {
    return resourceFieldValue(from.resourceFieldRef, withDefaultLimits(container, options.allocatable));
  }
  if (from.configMapKeyRef) {
    const { name = '', key, optional } = from.configMapKeyRef;
    const data = await refs.configMap(name);
    if (data === undefined) {
      if (optional) return undefined;
      throw new EnvError(notFoundMessage('configmap', name));
    }
    if (!(key in data)) {
      if (optional) return undefined;
      throw new EnvError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return data[key];
  }
  if (from.secretKeyRef) {
    const { name = '', key, optional } = from.secretKeyRef;
    const data = await refs.secret(name);
    if (data === undefined) {
      if (optional) return undefined;
      throw new EnvError(notFoundMessage('secret', name));
    }
    if (!(key in data)) {
      if (optional) return undefined;
      throw new EnvError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    }
    return data[key];
  }
  return '';
}

/**
 * Resolves the container's environment. Rejects with EnvError for a missing required
 * configMap, secret or key, or an unsupported field path.
 */
export async function containerEnv(
  pod: V1Pod,
  container: V1Container,
  source: ObjectSource,
  options: EnvOptions = {},
): Promise<ContainerEnv> {
  const ns = pod.metadata?.namespace ?? 'default';
  const refs = new Refs(source, ns);
  const services = serviceEnvironment(options.services ?? [], ns, pod.spec?.enableServiceLinks ?? true);
  const env = new Map<string, string>();
  const warnings: string[] = [];

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    let what: string;
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      what = `configMap ${ns}/${name}`;
      data = await refs.configMap(name);
      if (data === undefined) {
        if (from.configMapRef.optional) continue;
        throw new EnvError(notFoundMessage('configmap', name));
      }
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      what = `secret ${ns}/${name}`;
      data = await refs.secret(name);
      if (data === undefined) {
        if (from.secretRef.optional) continue;
        throw new EnvError(notFoundMessage('secret', name));
      }
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const key = prefix + k;
      if (!validEnvName.test(key)) invalid.push(key);
      else env.set(key, v);
    }
    if (invalid.length > 0) {
      warnings.push(
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  const lookup = lookupIn(env, services);
  for (const entry of container.env ?? []) {
    let value: string | undefined;
    try {
      value = await resolveEntry(entry, pod, container, refs, options, lookup);
    } catch (err) {
      if (err instanceof EnvError) throw err;
      throw new EnvError((err as Error).message);
    }
    if (value !== undefined) env.set(entry.name, value);
  }

  const out: EnvVar[] = [...env].map(([key, value]) => ({ key, value }));
  for (const [key, value] of services) if (!env.has(key)) out.push({ key, value });
  return { env: out, warnings };
}

/** Expands `$(VAR)` in a command or argument with the container's final environment. */
export function expandVars(text: string, env: readonly EnvVar[]): string {
  const vars = new Map(env.map((e) => [e.key, e.value]));
  return expand(text, (name) => vars.get(name));
}

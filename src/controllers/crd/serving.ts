/**
 * Serving a CRD's versions from the registry: one ResourceStore per served version, all on the same
 * storage keys (`/registry/<group>/<plural>/…`), each showing objects in its own version. Stores are
 * replaced when what they serve changes and removed when the CRD stops serving them.
 */
import type { Logger } from 'pino';
import { registerCustomKind } from '../../api/schema/unknown-fields.ts';
import { statusErrors } from '../../api/status.ts';
import { type CustomResourceDefinition, customResource, isConditionTrue } from '../../registry/crd/index.ts';
import type { Registry } from '../../registry/registry.ts';

/**
 * Kubernetes' version priority (CompareKubeAwareVersionStrings): GA before beta before alpha,
 * higher numbers first, then anything else alphabetically.
 */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
  return 0;
}

interface ServedVersion {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** What the store was built from: a new one is built when this changes. */
  readonly fingerprint: string;
  readonly withdraw: () => void;
}

export class CRDServing {
  private readonly registry: Registry;
  private readonly log: Logger;
  /** By CRD name, by version. */
  private readonly served = new Map<string, Map<string, ServedVersion>>();
  /** Whether a CRD is being deleted (no creates then), as the controller's cache says. */
  private readonly terminating: (crdName: string) => boolean;

  constructor(registry: Registry, log: Logger, terminating: (crdName: string) => boolean) {
    this.registry = registry;
    this.log = log;
    this.terminating = terminating;
  }

  /** Whether `group/plural` is a custom resource this controller serves. */
  owns(group: string, plural: string): boolean {
    for (const versions of this.served.values()) {
      for (const v of versions.values()) if (v.group === group && v.plural === plural) return true;
    }
    return false;
  }

  /** Serves what the CRD's status allows: its served versions under its accepted names. */
  serve(crd: CustomResourceDefinition): void {
    const name = crd.metadata.name ?? '';
    const servable = isConditionTrue(crd, 'NamesAccepted') || isConditionTrue(crd, 'Established');
    const names = crd.status?.acceptedNames;
    if (!servable || !names?.plural || !names.kind) {
      this.unserve(name);
      return;
    }
    const versions = (crd.spec?.versions ?? [])
      .filter((v) => v.served && v.name)
      .sort((a, b) => compareVersions(a.name!, b.name!));
    const fingerprints = versions.map((v) => JSON.stringify([crd.spec?.group, crd.spec?.scope, names, v]));
    const current = [...(this.served.get(name)?.values() ?? [])];
    if (current.length === versions.length && current.every((c, i) => c.fingerprint === fingerprints[i]))
      return;
    // Anything changed: serve them all again, in priority order (discovery's preferred version first).
    this.unserve(name);
    const served = new Map<string, ServedVersion>();
    this.served.set(name, served);
    for (const [i, version] of versions.entries()) {
      const s = customResource(crd, version);
      const { group, plural, kind } = s.info;
      if (this.registry.find(group, s.info.version, plural) && !this.owns(group, plural)) {
        this.log.warn(
          { crd: name, group, version: s.info.version, plural },
          'resource already served, not replacing it',
        );
        continue;
      }
      const store = this.registry.add(s.info, s.strategy);
      store.table = s.table;
      store.openApiSchema = s.openApiSchema;
      store.scale = s.scale;
      store.convert = s.convert;
      const admit = store.admit;
      store.admit = async (op, obj, old) => {
        if (op === 'create' && this.terminating(name)) {
          throw statusErrors.forbidden(
            store.groupResource,
            obj.metadata.name ?? '',
            'create not allowed while custom resource definition is terminating',
          );
        }
        await admit?.(op, obj, old);
      };
      const unregister = registerCustomKind(group, s.info.version, kind, s.unknownFields);
      served.set(s.info.version, {
        group,
        version: s.info.version,
        plural,
        fingerprint: fingerprints[i]!,
        withdraw: () => {
          this.registry.remove(group, s.info.version, plural);
          unregister();
        },
      });
      this.log.info(
        { crd: name, group, version: s.info.version, resource: plural },
        'serving custom resource',
      );
    }
  }

  /** Stops serving every version of a CRD. */
  unserve(crdName: string): void {
    const current = this.served.get(crdName);
    if (!current) return;
    for (const v of current.values()) this.withdraw(v);
    this.served.delete(crdName);
  }

  private withdraw(v: ServedVersion): void {
    v.withdraw();
    this.log.info(
      { group: v.group, version: v.version, resource: v.plural },
      'stopped serving custom resource',
    );
  }
}

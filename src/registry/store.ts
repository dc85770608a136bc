import { randomUUID } from 'node:crypto';
import { type FieldError, field, invalidError } from '../api/field-errors.ts';
import { updateManagedFields } from '../api/managedfields/index.ts';
import { dns1123Subdomain, type NameValidator } from '../api/names.ts';
import { type KubeObject, timestamp } from '../api/object.ts';
import { type GroupResource, type StatusError, statusErrors } from '../api/status.ts';
import { validateObjectMeta } from '../api/validation/object-meta.ts';
import { isStorageError } from '../storage/errors.ts';
import type { Backend, KeyValue } from '../storage/types.ts';
import { decodeObject, encodeObject } from './codec.ts';
import { continueExpired, decodeContinue, encodeContinue } from './continue-token.ts';
import { listPrefix, objectKey } from './keys.ts';
import type { ResourceInfo } from './resource.ts';
import type { Strategy } from './strategy.ts';
import type { TableColumns } from './table.ts';

export interface Matcher {
  matches(obj: KubeObject): boolean;
  /**
   * A cheap test on the stored JSON before it is parsed: false only when the object cannot
   * match (then it is skipped unparsed); true means "parse and ask matches()".
   */
  mayMatchStored?(json: string): boolean;
}

export interface ListOptions {
  readonly filter?: Matcher;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

export interface ListResult {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
}

export interface WriteOptions {
  readonly dryRun?: boolean;
  /**
   * Who writes (the request's fieldManager, else its User-Agent): the write is recorded in
   * metadata.managedFields as that manager's Update. Absent for in-process writers, whose
   * writes keep the managedFields the object had.
   */
  readonly fieldManager?: string;
}

export interface UpdateOptions extends WriteOptions {
  /** status, or a resource's own (a namespace's finalize). */
  readonly subresource?: string;
}

export interface DeleteOptions extends WriteOptions {
  readonly preconditions?: { uid?: string; resourceVersion?: string };
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly gracePeriodSeconds?: number;
}

export interface DeleteResult {
  readonly object: KubeObject;
  /** False when the object stays, marked for deletion (finalizers, graceful deletion). */
  readonly deleted: boolean;
}

/** Called before a write is stored (admission: namespace lifecycle, quotas, …). */
export type Admit = (op: 'create' | 'update' | 'delete', obj: KubeObject, old?: KubeObject) => Promise<void>;

/** The scale subresource of a resource that keeps its replicas elsewhere than spec.replicas. */
export interface ScaleAccess {
  /** The autoscaling/v1 Scale of an object. */
  scaleOf(obj: KubeObject): KubeObject;
  /** A copy of the object with its desired replicas set. */
  withReplicas(obj: KubeObject, replicas: number): KubeObject;
}

const nameChars = 'bcdfghjklmnpqrstvwxz2456789';
function generateSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += nameChars[Math.floor(Math.random() * nameChars.length)];
  return s;
}

function parseRevision(rv: string | undefined, what = 'resourceVersion'): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw statusErrors.badRequest(`invalid ${what}: ${JSON.stringify(rv)}`);
  return Number(rv);
}

/**
 * The generic store every resource shares (upstream's registry/generic/registry.Store): it owns
 * the order of create/update/delete, optimistic concurrency, generateName, system metadata,
 * finalizers and pagination; the resource's Strategy decides the rest.
 */
export class ResourceStore {
  readonly info: ResourceInfo;
  readonly strategy: Strategy;
  readonly backend: Backend;
  readonly validateName: NameValidator;
  admit: Admit | undefined;
  /** Table columns of a resource without a built-in printer (custom resources). */
  table: TableColumns | undefined;
  /** The OpenAPI v3 schema of a kind without a built-in model (a CRD version's), for /openapi/v3. */
  openApiSchema: unknown;
  /** Scale subresource access other than spec.replicas/status.replicas (custom resources). */
  scale: ScaleAccess | undefined;
  /**
   * Applied to every object read from storage: custom resources served in several versions share
   * their storage and are shown in the version asked for, with their schema's defaults.
   */
  convert: ((obj: KubeObject) => KubeObject) | undefined;
  /**
   * For a version served over another version's storage (events.k8s.io/v1 over core Events):
   * where the objects are kept, and how one becomes the stored form before it is written.
   */
  storageInfo: ResourceInfo;
  toStorage: ((obj: KubeObject) => KubeObject) | undefined;

  constructor(
    backend: Backend,
    info: ResourceInfo,
    strategy: Strategy,
    validateName: NameValidator = dns1123Subdomain,
  ) {
    this.backend = backend;
    this.info = info;
    this.strategy = strategy;
    this.validateName = validateName;
    this.storageInfo = info;
  }

  /** The storage prefix of a list or watch: one namespace, or the whole resource. */
  prefix(namespace: string | undefined): string {
    return listPrefix(this.storageInfo, namespace);
  }

  /** An object as it is written to storage. */
  private encode(obj: KubeObject): string {
    return encodeObject(this.toStorage ? this.toStorage(obj) : obj);
  }

  get groupResource(): GroupResource {
    return { group: this.info.group, resource: this.info.plural };
  }

  /** An object as storage holds it, as this store serves it. */
  decode(kv: KeyValue, revision = kv.modRevision): KubeObject {
    const obj = decodeObject(kv, revision);
    return this.convert ? this.convert(obj) : obj;
  }

  private key(namespace: string | undefined, name: string): string {
    return objectKey(this.storageInfo, namespace, name);
  }

  private invalid(name: string, errs: FieldError[]): StatusError {
    return invalidError(this.info.kind, this.info.group, name, errs);
  }

  private storageFailure(e: unknown, name: string): never {
    if (isStorageError(e, 'KeyExists')) throw statusErrors.alreadyExists(this.groupResource, name);
    if (isStorageError(e, 'KeyNotFound')) throw statusErrors.notFound(this.groupResource, name);
    if (isStorageError(e, 'Conflict')) throw statusErrors.modified(this.groupResource, name);
    throw e;
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.backend.get(this.key(namespace, name));
    if (!kv) throw statusErrors.notFound(this.groupResource, name);
    return this.decode(kv);
  }

  async list(namespace: string | undefined, options: ListOptions = {}): Promise<ListResult> {
    const prefix = this.prefix(namespace);
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    let revision: number | undefined;
    let after: string | undefined;
    if (options.continue) {
      const token = decodeContinue(prefix, options.continue);
      revision = token.revision;
      after = token.after;
    } else {
      const rv = parseRevision(options.resourceVersion);
      if (options.resourceVersionMatch === 'Exact') {
        if (rv === undefined)
          throw statusErrors.badRequest('resourceVersionMatch=Exact requires a resourceVersion');
        revision = rv;
      } else if (rv !== undefined && rv > this.backend.revision()) {
        throw statusErrors.tooLargeResourceVersion(rv, this.backend.revision());
      }
    }
    const items: KubeObject[] = [];
    let lastKey: string | undefined;
    let more = false;
    try {
      for (;;) {
        const page = await this.backend.list(prefix, {
          after,
          limit: limit ? limit - items.length : 0,
          revision,
        });
        revision = page.revision;
        for (const kv of page.items) {
          if (options.filter?.mayMatchStored && !options.filter.mayMatchStored(kv.value)) {
            lastKey = kv.key;
            continue;
          }
          const obj = this.decode(kv);
          lastKey = kv.key;
          if (!options.filter || options.filter.matches(obj)) items.push(obj);
        }
        more = page.more;
        after = page.items.at(-1)?.key ?? after;
        if (!more || (limit && items.length >= limit)) break;
      }
    } catch (e) {
      if (isStorageError(e, 'Compacted')) {
        if (options.continue) throw continueExpired();
        throw statusErrors.expired(
          `too old resource version: ${revision} (${this.backend.compactRevision()})`,
        );
      }
      if (isStorageError(e, 'FutureRevision')) {
        throw statusErrors.tooLargeResourceVersion(revision ?? 0, this.backend.revision());
      }
      throw e;
    }
    const result: ListResult = { items, resourceVersion: String(revision) };
    return more && lastKey ? { ...result, continue: encodeContinue(prefix, revision!, lastKey) } : result;
  }

  /** Fills the system metadata of a new object and checks it; returns the name. */
  private prepareNew(namespace: string | undefined, obj: KubeObject, fieldManager?: string): string {
    const meta = obj.metadata;
    obj.apiVersion = this.info.group ? `${this.info.group}/${this.info.version}` : this.info.version;
    obj.kind = this.info.kind;
    if (this.info.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw statusErrors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = meta.generateName + generateSuffix();
    const name = meta.name ?? '';
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.generation;
    this.strategy.prepareForCreate(obj);
    this.strategy.applyDefaults(obj);
    if (fieldManager) {
      obj.metadata.managedFields = updateManagedFields(
        undefined,
        obj,
        fieldManager,
        'Update',
        undefined,
        timestamp(),
      ).metadata.managedFields;
    }
    const errs: FieldError[] = [];
    if (!name) errs.push(field.required('metadata.name', 'name or generateName is required'));
    else for (const msg of this.validateName(name)) errs.push(field.invalid('metadata.name', name, msg));
    if (this.info.namespaced && !meta.namespace) errs.push(field.required('metadata.namespace'));
    errs.push(...validateObjectMeta(meta), ...this.strategy.validate(obj));
    if (errs.length > 0) throw this.invalid(name, errs);
    return name;
  }

  async create(
    namespace: string | undefined,
    obj: KubeObject,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const name = this.prepareNew(namespace, obj, options.fieldManager);
    await this.admit?.('create', obj);
    if (options.dryRun) {
      if (await this.backend.get(this.key(obj.metadata.namespace, name))) {
        throw statusErrors.alreadyExists(this.groupResource, name);
      }
      return obj;
    }
    try {
      return this.decode(await this.backend.create(this.key(obj.metadata.namespace, name), this.encode(obj)));
    } catch (e) {
      this.storageFailure(e, name);
    }
  }

  /**
   * Read, change, compare-and-swap, retried while other writers get there first. `tryUpdate`
   * gets a copy of the current object (undefined when missing) and returns the new one; a
   * resourceVersion it leaves set must match the current one.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    tryUpdate: (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
    options: UpdateOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) {
        if (!this.strategy.allowCreateOnUpdate || options.subresource) {
          throw statusErrors.notFound(this.groupResource, name);
        }
        const obj = await tryUpdate(undefined);
        delete obj.metadata.resourceVersion;
        return { object: await this.create(namespace, obj, options), created: true };
      }
      const old = this.decode(kv);
      const obj = await tryUpdate(structuredClone(old));
      const wanted = obj.metadata.resourceVersion;
      if (wanted && wanted !== old.metadata.resourceVersion)
        throw statusErrors.modified(this.groupResource, name);
      try {
        return { object: await this.replace(kv, old, obj, name, options), created: false };
      } catch (e) {
        if (isStorageError(e, 'Conflict') && !wanted && attempt < 100) continue;
        this.storageFailure(e, name);
      }
    }
  }

  private async replace(
    kv: KeyValue,
    old: KubeObject,
    obj: KubeObject,
    name: string,
    options: UpdateOptions,
  ): Promise<KubeObject> {
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw statusErrors.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
      throw statusErrors.conflict(
        this.groupResource,
        name,
        `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    obj.apiVersion = old.apiVersion;
    obj.kind = old.kind;
    const meta = obj.metadata;
    meta.name = name;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    if (this.info.namespaced) meta.namespace = old.metadata.namespace;
    else delete meta.namespace;
    if (old.metadata.deletionTimestamp) {
      meta.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined) {
        meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      }
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (options.subresource) this.strategy.prepareForSubresourceUpdate(options.subresource, obj, old);
    else {
      meta.generation = old.metadata.generation;
      if (meta.generation === undefined) delete meta.generation;
      this.strategy.prepareForUpdate(obj, old);
    }
    this.strategy.applyDefaults(obj);
    if (options.fieldManager) {
      obj.metadata.managedFields = updateManagedFields(
        old,
        obj,
        options.fieldManager,
        'Update',
        options.subresource,
        timestamp(),
      ).metadata.managedFields;
    } else if (obj.metadata.managedFields === undefined && old.metadata.managedFields !== undefined) {
      obj.metadata.managedFields = old.metadata.managedFields;
    }
    const errs = [
      ...validateObjectMeta(meta),
      ...this.strategy.validate(obj),
      ...this.strategy.validateUpdate(obj, old, options.subresource),
    ];
    if (errs.length > 0) throw this.invalid(name, errs);
    await this.admit?.('update', obj, old);
    const value = this.encode(obj);
    if (value === this.encode(old)) return old;
    if (options.dryRun)
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: old.metadata.resourceVersion } };
    const graceLeft = (meta.deletionGracePeriodSeconds ?? 0) > 0;
    if (meta.deletionTimestamp && !graceLeft && this.strategy.pendingFinalizers(obj).length === 0) {
      // The last finalizer is gone: the deletion that was waiting for it completes.
      const gone = await this.backend.delete(kv.key, kv.modRevision);
      return this.decode({ ...gone, value }, gone.modRevision);
    }
    return this.decode(await this.backend.update(kv.key, value, kv.modRevision));
  }

  async delete(
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Promise<DeleteResult> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) throw statusErrors.notFound(this.groupResource, name);
      const old = this.decode(kv);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== old.metadata.uid) {
        throw statusErrors.conflict(
          this.groupResource,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
        throw statusErrors.conflict(
          this.groupResource,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
        );
      }
      await this.admit?.('delete', old, old);
      const marked = this.markForDeletion(structuredClone(old), options);
      try {
        if (marked) {
          if (options.dryRun) return { object: marked, deleted: false };
          if (this.encode(marked) === this.encode(old)) return { object: old, deleted: false };
          return {
            object: this.decode(await this.backend.update(key, this.encode(marked), kv.modRevision)),
            deleted: false,
          };
        }
        if (options.dryRun) return { object: old, deleted: true };
        const gone = await this.backend.delete(key, kv.modRevision);
        return { object: this.decode(gone, gone.modRevision), deleted: true };
      } catch (e) {
        if (isStorageError(e, 'Conflict') && !pre?.resourceVersion && attempt < 100) continue;
        this.storageFailure(e, name);
      }
    }
  }

  /**
   * When the object must stay for now (finalizers, a propagation policy's finalizer, or a
   * grace period), returns it marked with deletionTimestamp; undefined when it can go at once.
   */
  private markForDeletion(obj: KubeObject, options: DeleteOptions): KubeObject | undefined {
    const meta = obj.metadata;
    const finalizers = new Set(meta.finalizers ?? []);
    if (options.propagationPolicy === 'Orphan') finalizers.add('orphan');
    if (options.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    if (finalizers.size > 0) meta.finalizers = [...finalizers];
    const grace = this.strategy.gracePeriod?.(obj, options.gracePeriodSeconds) ?? 0;
    const pending = this.strategy.pendingFinalizers(obj).length > 0;
    if (!pending && grace <= 0) return undefined;
    this.strategy.prepareForDelete(obj);
    const now = Date.now();
    const deadline = now + grace * 1000;
    const current = meta.deletionTimestamp ? Date.parse(meta.deletionTimestamp) : Number.POSITIVE_INFINITY;
    if (!meta.deletionTimestamp || deadline < current) {
      // A later delete may shorten the grace period, never lengthen it.
      meta.deletionTimestamp = timestamp(new Date(grace > 0 ? deadline : now));
      meta.deletionGracePeriodSeconds = grace;
    }
    return obj;
  }
}

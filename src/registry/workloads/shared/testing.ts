/** Test helpers: run a kind's strategy the way the generic store does, without storage. */
import { fieldErrorString } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { builtinResources } from '../../catalogue.ts';
import type { Strategy } from '../../strategy.ts';
import { workloadStrategies } from '../index.ts';

export function strategyOf(group: string, plural: string): Strategy {
  const info = builtinResources.find((r) => r.group === group && r.plural === plural);
  const make = workloadStrategies[`${group}/${plural}`];
  if (!info || !make) throw new Error(`no strategy for ${group}/${plural}`);
  return make(info);
}

export interface Outcome {
  obj: KubeObject;
  errors: string[];
}

/** prepareForCreate → applyDefaults → validate, on a copy with system metadata filled. */
export function create(strategy: Strategy, input: KubeObject): Outcome {
  const obj = structuredClone(input);
  obj.metadata.uid ??= '00000000-0000-0000-0000-000000000001';
  obj.metadata.namespace ??= 'default';
  strategy.prepareForCreate(obj);
  strategy.applyDefaults(obj);
  return { obj, errors: strategy.validate(obj).map(fieldErrorString) };
}

/** prepareForUpdate → applyDefaults → validate + validateUpdate. */
export function update(strategy: Strategy, old: KubeObject, input: KubeObject): Outcome {
  const obj = structuredClone(input);
  obj.metadata = { ...obj.metadata, uid: old.metadata.uid, generation: old.metadata.generation };
  strategy.prepareForUpdate(obj, old);
  strategy.applyDefaults(obj);
  const errors = [...strategy.validate(obj), ...strategy.validateUpdate(obj, old)].map(fieldErrorString);
  return { obj, errors };
}

/** A copy of `obj` changed by `edit`. */
// biome-ignore lint/suspicious/noExplicitAny: tests reach into nested fields without declaring their shapes.
export type Loose = Record<string, any>;

export function edited(obj: KubeObject, edit: (o: KubeObject & Loose) => void): KubeObject {
  const copy = structuredClone(obj);
  edit(copy);
  return copy;
}

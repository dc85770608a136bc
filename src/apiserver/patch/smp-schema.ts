import { modelField, schemaFor, type TypeInfo } from '../../api/schema/model.ts';
import type { SmpSchema } from './strategic/index.ts';

const byModel = new Map<string, SmpSchema>();

const childModel = (t: TypeInfo): string | undefined => t.model ?? t.items?.model ?? t.values?.model;

/** The strategic-merge view of a model: each field's merge key, strategy and nested model. */
function modelSchema(model: string): SmpSchema {
  let schema = byModel.get(model);
  if (!schema) {
    schema = {
      field(name) {
        const f = modelField(model, name);
        if (!f) return undefined;
        const child = childModel(f);
        return {
          ...(f.patch?.mergeKey ? { mergeKey: f.patch.mergeKey } : {}),
          ...(f.patch?.strategy ? { strategy: f.patch.strategy } : {}),
          ...(child ? { schema: modelSchema(child) } : {}),
        };
      },
    };
    byModel.set(model, schema);
  }
  return schema;
}

/** Undefined for kinds without a built-in model (custom resources: plain merge semantics). */
export function smpSchemaFor(group: string, version: string, kind: string): SmpSchema | undefined {
  const model = schemaFor(group, version, kind);
  return model ? modelSchema(model) : undefined;
}

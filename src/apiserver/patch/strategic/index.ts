export { applyStrategicMergePatch } from './apply.ts';
export type { SmpField, SmpSchema, SmpTable, SmpTableField } from './schema.ts';
export { smpSchemaFromTable } from './schema.ts';

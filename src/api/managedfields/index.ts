/** Server-side apply and managedFields bookkeeping: the API the API server's handlers use. */
export { ApplyConflictError, type ApplyOptions, serverSideApply } from './apply.ts';
export type { Conflict } from './conflict.ts';
export { FieldSet } from './fieldset.ts';
export { type FieldsV1, fieldsV1Json, fromFieldsV1, toFieldsV1 } from './fieldsv1.ts';
export {
  defaultResetFields,
  fieldSetOf,
  managerName,
  revertNoopTimestamps,
  type UpdateOptions,
  updateManagedFields,
} from './managed-fields.ts';
export type { ManagedFieldsEntry } from './managers.ts';

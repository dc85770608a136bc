export { SelectorError } from './errors.ts';
export {
  checkFieldSelector,
  escapeFieldValue,
  type FieldOperator,
  type FieldRequirement,
  FieldSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from './fields.ts';
export {
  fromLabelSelectorObject,
  type LabelOperator,
  type LabelRequirement,
  LabelSelector,
  type LabelSelectorObject,
  labelSelectorFromSet,
  newRequirement,
  parseLabelSelector,
} from './labels.ts';

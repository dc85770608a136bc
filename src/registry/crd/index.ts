/** CustomResourceDefinitions and the custom resources they define. */
export { findCondition, isConditionTrue, setCondition } from './conditions.ts';
export { type CustomResourceServing, customResource, customResourceInfo } from './custom-resource.ts';
export { deepEqual } from './schema-util.ts';
export { crdStrategy } from './strategy.ts';
export * from './types.ts';

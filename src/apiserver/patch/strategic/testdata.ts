/*
 * Schemas shared by the strategic merge patch tests: upstream's MergeItem test type, and the slice of
 * the Kubernetes API (struct tags of ObjectMeta, PodSpec, Container, DeploymentSpec) the examples use.
 */
import { type SmpSchema, type SmpTable, type SmpTableField, smpSchemaFromTable } from './schema.ts';

const mergeItem: Record<string, SmpTableField> = {};
const retainKeysMergeItem: SmpTable = {
  name: {},
  value: {},
  other: {},
  simpleMap: {},
  mergingIntList: { strategy: 'merge' },
  mergingList: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  nonMergingList: { schema: mergeItem },
};
Object.assign(mergeItem, {
  name: {},
  value: {},
  other: {},
  mergingList: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  nonMergingList: { schema: mergeItem },
  mergingIntList: { strategy: 'merge' },
  nonMergingIntList: {},
  mergeItemPtr: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  simpleMap: {},
  replacingItem: { strategy: 'replace' },
  retainKeysMap: { strategy: 'retainKeys', schema: retainKeysMergeItem },
  retainKeysMergingList: { strategy: 'merge,retainKeys', mergeKey: 'name', schema: mergeItem },
} satisfies SmpTable);

/** Upstream's `MergeItem` (k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go). */
export const mergeItemSchema: SmpSchema = smpSchemaFromTable(mergeItem);

const objectMeta: SmpTable = {
  labels: {},
  annotations: {},
  finalizers: { strategy: 'merge' },
  ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
};

const container: SmpTable = {
  ports: { strategy: 'merge', mergeKey: 'containerPort' },
  env: { strategy: 'merge', mergeKey: 'name' },
  volumeMounts: { strategy: 'merge', mergeKey: 'mountPath' },
  volumeDevices: { strategy: 'merge', mergeKey: 'devicePath' },
  resources: {},
  args: {},
  command: {},
};

const podSpec: SmpTable = {
  volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  initContainers: { strategy: 'merge', mergeKey: 'name', schema: container },
  containers: { strategy: 'merge', mergeKey: 'name', schema: container },
  imagePullSecrets: { strategy: 'merge', mergeKey: 'name' },
  hostAliases: { strategy: 'merge', mergeKey: 'ip' },
  tolerations: {},
  nodeSelector: {},
};

const podTemplateSpec: SmpTable = { metadata: { schema: objectMeta }, spec: { schema: podSpec } };

/** A Pod. */
export const podSchema: SmpSchema = smpSchemaFromTable({
  metadata: { schema: objectMeta },
  spec: { schema: podSpec },
});

/** An apps/v1 Deployment. */
export const deploymentSchema: SmpSchema = smpSchemaFromTable({
  metadata: { schema: objectMeta },
  spec: {
    schema: {
      selector: {},
      strategy: { strategy: 'retainKeys' },
      template: { schema: podTemplateSpec },
    },
  },
});

import type { TableColumns } from '../table.ts';
import {
  ageColumn,
  column,
  containerCells,
  containersColumn,
  imagesColumn,
  nameColumn,
  num,
  rec,
  selectorString,
  templateSpec,
} from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column('Ready', 'string', 'Number of the pod with ready state'),
  column(
    'Up-to-date',
    'string',
    'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
  ),
  column(
    'Available',
    'string',
    'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
  ),
  ageColumn,
  containersColumn,
  imagesColumn,
  column(
    'Selector',
    'string',
    'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    1,
  ),
];

/** spec.replicas as the defaulted object holds it (1 when unset). */
export const desiredReplicas = (spec: Record<string, unknown>): number =>
  typeof spec.replicas === 'number' ? spec.replicas : 1;

export const table: TableColumns = {
  columns,
  cells(deploy, now) {
    const spec = rec(deploy.spec);
    const status = rec(deploy.status);
    const [names, images] = containerCells(templateSpec(spec));
    return [
      deploy.metadata.name ?? '',
      `${num(status.readyReplicas)}/${desiredReplicas(spec)}`,
      num(status.updatedReplicas),
      num(status.availableReplicas),
      age(deploy.metadata.creationTimestamp, now),
      names,
      images,
      // Deployments print the bare selector string: "" when empty, "<invalid>" when it cannot parse.
      selectorString(spec.selector) ?? '<invalid>',
    ];
  },
};

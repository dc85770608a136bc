import type { TableColumns } from '../table.ts';
import {
  ageColumn,
  column,
  containerCells,
  containersColumn,
  formatLabelSelector,
  imagesColumn,
  nameColumn,
  num,
  rec,
  templateSpec,
} from './common.ts';
import { desiredReplicas } from './deployments.ts';
import { age } from './duration.ts';

const RC_LINK =
  'https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller';

const columns = [
  nameColumn,
  column(
    'Desired',
    'integer',
    `Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: ${RC_LINK}`,
  ),
  column(
    'Current',
    'integer',
    `Replicas is the most recently observed number of replicas. More info: ${RC_LINK}`,
  ),
  column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
  ageColumn,
  containersColumn,
  imagesColumn,
  column(
    'Selector',
    'string',
    'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
    1,
  ),
];

export const table: TableColumns = {
  columns,
  cells(rs, now) {
    const spec = rec(rs.spec);
    const status = rec(rs.status);
    const [names, images] = containerCells(templateSpec(spec));
    return [
      rs.metadata.name ?? '',
      desiredReplicas(spec),
      num(status.replicas),
      num(status.readyReplicas),
      age(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

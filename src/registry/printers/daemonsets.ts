import type { TableColumns } from '../table.ts';
import {
  ageColumn,
  column,
  containerCells,
  containersColumn,
  formatLabelSelector,
  formatLabels,
  imagesColumn,
  nameColumn,
  num,
  rec,
  templateSpec,
} from './common.ts';
import { age } from './duration.ts';

const DS_LINK = 'More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/';

const columns = [
  nameColumn,
  column(
    'Desired',
    'integer',
    `The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). ${DS_LINK}`,
  ),
  column(
    'Current',
    'integer',
    `The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. ${DS_LINK}`,
  ),
  column(
    'Ready',
    'integer',
    'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
  ),
  column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
  column(
    'Available',
    'integer',
    'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
  ),
  column(
    'Node Selector',
    'string',
    "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
  ),
  ageColumn,
  containersColumn,
  imagesColumn,
  column(
    'Selector',
    'string',
    'A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
    1,
  ),
];

export const table: TableColumns = {
  columns,
  cells(ds, now) {
    const spec = rec(ds.spec);
    const status = rec(ds.status);
    const podSpec = templateSpec(spec);
    const [names, images] = containerCells(podSpec);
    return [
      ds.metadata.name ?? '',
      num(status.desiredNumberScheduled),
      num(status.currentNumberScheduled),
      num(status.numberReady),
      num(status.updatedNumberScheduled),
      num(status.numberAvailable),
      formatLabels(podSpec.nodeSelector),
      age(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

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
  templateSpec,
} from './common.ts';
import { desiredReplicas } from './deployments.ts';
import { age } from './duration.ts';

export const table: TableColumns = {
  columns: [
    nameColumn,
    column('Ready', 'string', 'Number of the pod with ready state'),
    ageColumn,
    containersColumn,
    imagesColumn,
  ],
  cells(sts, now) {
    const spec = rec(sts.spec);
    const [names, images] = containerCells(templateSpec(spec));
    return [
      sts.metadata.name ?? '',
      `${num(rec(sts.status).readyReplicas)}/${desiredReplicas(spec)}`,
      age(sts.metadata.creationTimestamp, now),
      names,
      images,
    ];
  },
};

import type { KubeObject } from '../../api/object.ts';
import type { TableColumns } from '../table.ts';
import {
  ageColumn,
  column,
  containerCells,
  containersColumn,
  formatLabelSelector,
  imagesColumn,
  type Json,
  nameColumn,
  num,
  rec,
  recs,
  str,
  templateSpec,
} from './common.ts';
import { age, humanDuration, parseTime } from './duration.ts';

export const JOB_SELECTOR_DESCRIPTION =
  'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

const columns = [
  nameColumn,
  column('Status', 'string', 'Status of the job.'),
  column(
    'Completions',
    'string',
    'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.',
  ),
  column('Duration', 'string', 'Time required to complete the job.'),
  ageColumn,
  containersColumn,
  imagesColumn,
  column('Selector', 'string', JOB_SELECTOR_DESCRIPTION, 1),
];

/** Whether the first condition of this type is True (hasJobCondition). */
const hasCondition = (status: Json, type: string) =>
  recs(status.conditions).find((c) => c.type === type)?.status === 'True';

function jobStatus(job: KubeObject, status: Json): string {
  if (hasCondition(status, 'Complete')) return 'Complete';
  if (hasCondition(status, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(status, 'Suspended')) return 'Suspended';
  if (hasCondition(status, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(spec: Json, status: Json): string {
  const succeeded = num(status.succeeded);
  if (typeof spec.completions === 'number') return `${succeeded}/${spec.completions}`;
  const parallelism = num(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(status: Json, now: Date): string {
  const start = parseTime(str(status.startTime));
  if (start === undefined) return '';
  const end = parseTime(str(status.completionTime)) ?? now.getTime();
  return humanDuration(end - start);
}

export const table: TableColumns = {
  columns,
  cells(job, now) {
    const spec = rec(job.spec);
    const status = rec(job.status);
    const [names, images] = containerCells(templateSpec(spec));
    return [
      job.metadata.name ?? '',
      jobStatus(job, status),
      completions(spec, status),
      duration(status, now),
      age(job.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, rec } from './common.ts';
import { age } from './duration.ts';

const DATA =
  "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.";

export const table: TableColumns = {
  columns: [nameColumn, column('Data', 'string', DATA), ageColumn],
  cells: (cm, now) => [
    cm.metadata.name ?? '',
    Object.keys(rec(cm.data)).length + Object.keys(rec(cm.binaryData)).length,
    age(cm.metadata.creationTimestamp, now),
  ],
};

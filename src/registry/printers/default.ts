import { timestamp } from '../../api/object.ts';
import type { TableColumns } from '../table.ts';
import { CREATED_DESCRIPTION, column, nameColumn } from './common.ts';
import { parseTime } from './duration.ts';

/** Go's zero time in RFC 3339, which upstream prints for an unset creationTimestamp. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The apiserver's default table convertor (rest.NewDefaultTableConvertor), used by resources without a
 * printer: the name and the creation time as an RFC 3339 UTC date.
 */
export const defaultTable: TableColumns = {
  columns: [nameColumn, column('Created At', 'date', CREATED_DESCRIPTION)],
  cells(obj) {
    const created = parseTime(obj.metadata.creationTimestamp);
    return [obj.metadata.name ?? '', created === undefined ? ZERO_TIME : timestamp(new Date(created))];
  },
};

import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, rec, str } from './common.ts';
import { age } from './duration.ts';

const TYPE =
  'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types';
const DATA =
  "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4";

export const table: TableColumns = {
  columns: [nameColumn, column('Type', 'string', TYPE), column('Data', 'string', DATA), ageColumn],
  cells(secret, now) {
    // stringData is write-only: upstream merges it into data before the printer sees the object.
    const keys = new Set([...Object.keys(rec(secret.data)), ...Object.keys(rec(secret.stringData))]);
    return [
      secret.metadata.name ?? '',
      str(secret.type),
      keys.size,
      age(secret.metadata.creationTimestamp, now),
    ];
  },
};

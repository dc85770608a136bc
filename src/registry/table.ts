import type { KubeObject } from '../api/object.ts';

/** One column of a server-side Table (meta.k8s.io/v1), as kubectl prints it. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format: string;
  readonly description: string;
  /** 0: always shown; 1: only with -o wide. */
  readonly priority: number;
}

/** A resource's printer: upstream's columns and the cells of one object's row. */
export interface TableColumns {
  readonly columns: readonly ColumnDefinition[];
  cells(obj: KubeObject, now: Date): unknown[];
}

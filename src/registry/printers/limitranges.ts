import { defaultTable } from './default.ts';

/** Upstream has no printer for limitranges: the apiserver's default table (Name, Created At) serves them. */
export const table = defaultTable;

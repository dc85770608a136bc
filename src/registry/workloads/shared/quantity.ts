/** resource.Quantity values for the workload kinds' checks, through the pods' exact parser. */
import { quantityFormatError, tryQuantity } from '../../pods/quantity.ts';

export { quantityFormatError };

/** The value of a quantity (`500m`, `10Gi`, `1e3`), or undefined when it does not parse. */
export function parseQuantity(v: unknown): number | undefined {
  const q = tryQuantity(v);
  return q === undefined ? undefined : Number(q.mantissa) * 10 ** q.scale;
}

/** The quantity as written, for messages (upstream prints its canonical form). */
export const quantityText = (v: unknown): string => String(v);

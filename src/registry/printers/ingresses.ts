import type { TableColumns } from '../table.ts';
import { ageColumn, column, loadBalancerIngress, nameColumn, rec, recs, str } from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column(
    'Class',
    'string',
    'The name of the IngressClass resource that should be used for additional configuration',
  ),
  column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
  column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
  column('Ports', 'string', 'Ports of TLS configurations that open'),
  ageColumn,
];

const MAX = 3;

/** Up to three rule hosts, then " + N more..." (N counted over rules, as upstream does); "*" when none. */
function hosts(rules: unknown): string {
  const all = recs(rules);
  const list: string[] = [];
  let more = false;
  for (const rule of all) {
    if (list.length === MAX) more = true;
    if (!more && str(rule.host)) list.push(str(rule.host));
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${all.length - MAX} more...` : list.join(',');
}

export const table: TableColumns = {
  columns,
  cells(ing, now) {
    const spec = rec(ing.spec);
    return [
      ing.metadata.name ?? '',
      typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>',
      hosts(spec.rules),
      loadBalancerIngress(rec(ing.status).loadBalancer),
      recs(spec.tls).length > 0 ? '80, 443' : '80',
      age(ing.metadata.creationTimestamp, now),
    ];
  },
};

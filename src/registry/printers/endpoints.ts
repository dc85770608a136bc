import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, num, recs, str } from './common.ts';
import { age } from './duration.ts';

const SUBSETS =
  'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.';

const MAX = 3;

/** net.JoinHostPort: IPv6 hosts go in brackets. */
const joinHostPort = (host: string, port: number) =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** Up to three ready "ip:port" endpoints, then " + N more..." (formatEndpoints). */
function formatEndpoints(subsets: unknown): string {
  const all = recs(subsets);
  if (all.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of all) {
    const ips = recs(ss.addresses).map((a) => str(a.ip));
    const ports = recs(ss.ports);
    // Headless services may have no ports at all.
    const entries =
      ports.length === 0 ? ips : ports.flatMap((p) => ips.map((ip) => joinHostPort(ip, num(p.port))));
    count += entries.length;
    list.push(...entries.slice(0, MAX - list.length));
  }
  return count > MAX ? `${list.join(',')} + ${count - MAX} more...` : list.join(',');
}

export const table: TableColumns = {
  columns: [nameColumn, column('Endpoints', 'string', SUBSETS), ageColumn],
  cells: (ep, now) => [
    ep.metadata.name ?? '',
    formatEndpoints(ep.subsets),
    age(ep.metadata.creationTimestamp, now),
  ],
};

/**
 * The cluster's DNS records, built from Services and EndpointSlices as the Kubernetes DNS
 * specification lays them out (the records CoreDNS's kubernetes plugin serves in k3s):
 * `<svc>.<ns>.svc.<domain>` (ClusterIP, or the ready endpoints of a headless Service),
 * `<hostname>.<svc>.<ns>.svc.<domain>` for headless endpoints (StatefulSet pods), SRV for named
 * ports, PTR for ClusterIPs and headless endpoints, CNAME for ExternalName.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';

export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

export interface NameRecords {
  a: string[];
  aaaa: string[];
  cname?: string;
  srv: SrvRecord[];
}

export interface RecordIndex {
  readonly domain: string;
  /** Lower-case names without the trailing dot. */
  readonly names: Map<string, NameRecords>;
  /** Reverse names (`4.3.2.1.in-addr.arpa`) → targets. */
  readonly ptr: Map<string, string[]>;
}

const empty = (): NameRecords => ({ a: [], aaaa: [], srv: [] });

function add(index: RecordIndex, name: string): NameRecords {
  const key = name.toLowerCase();
  let r = index.names.get(key);
  if (!r) {
    r = empty();
    index.names.set(key, r);
  }
  return r;
}

function addIp(r: NameRecords, ip: string): void {
  const list = ip.includes(':') ? r.aaaa : r.a;
  if (!list.includes(ip)) list.push(ip);
}

/** `10.43.0.1` → `1.0.43.10.in-addr.arpa`; IPv6 in nibbles under ip6.arpa. */
export function reverseName(ip: string): string | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (!ip.includes(':')) return undefined;
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  if (groups.length !== 8) return undefined;
  const nibbles = groups.map((g) => g.padStart(4, '0')).join('');
  return `${[...nibbles].reverse().join('.')}.ip6.arpa`;
}

function addPtr(index: RecordIndex, ip: string, target: string): void {
  const name = reverseName(ip);
  if (!name) return;
  const list = index.ptr.get(name) ?? [];
  if (!list.includes(target)) list.push(target);
  index.ptr.set(name, list);
}

const dashed = (ip: string) => ip.replace(/[.:]/g, '-');

const isHeadless = (svc: V1Service) => svc.spec?.clusterIP === 'None';

export function buildIndex(
  domain: string,
  services: readonly V1Service[],
  slices: readonly V1EndpointSlice[],
): RecordIndex {
  const index: RecordIndex = { domain: domain.toLowerCase(), names: new Map(), ptr: new Map() };
  const slicesByService = new Map<string, V1EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const key = `${s.metadata?.namespace}/${svc}`;
    const list = slicesByService.get(key) ?? [];
    list.push(s);
    slicesByService.set(key, list);
  }
  for (const svc of services) {
    const ns = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const fqdn = `${name}.${ns}.svc.${index.domain}`;
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      if (spec.externalName) add(index, fqdn).cname = spec.externalName.replace(/\.$/, '').toLowerCase();
      continue;
    }
    const record = add(index, fqdn);
    if (!isHeadless(svc)) {
      const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
      for (const ip of ips) {
        addIp(record, ip);
        addPtr(index, ip, fqdn);
      }
      for (const p of spec.ports ?? []) {
        if (!p.name) continue;
        const proto = (p.protocol ?? 'TCP').toLowerCase();
        add(index, `_${p.name}._${proto}.${fqdn}`).srv.push({
          priority: 0,
          weight: 100,
          port: p.port,
          target: fqdn,
        });
      }
      continue;
    }
    const publishNotReady = spec.publishNotReadyAddresses === true;
    for (const slice of slicesByService.get(`${ns}/${name}`) ?? []) {
      for (const ep of slice.endpoints ?? []) {
        if (!publishNotReady && ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? []) {
          addIp(record, ip);
          const host = ep.hostname ? `${ep.hostname}.${fqdn}` : `${dashed(ip)}.${fqdn}`;
          addIp(add(index, host), ip);
          addPtr(index, ip, host);
          for (const p of slice.ports ?? []) {
            if (!p.name || p.port === undefined) continue;
            const proto = (p.protocol ?? 'TCP').toLowerCase();
            const srv = add(index, `_${p.name}._${proto}.${fqdn}`).srv;
            if (!srv.some((s) => s.target === host && s.port === p.port))
              srv.push({ priority: 0, weight: 100, port: p.port, target: host });
          }
        }
      }
    }
  }
  return index;
}

/** `1-2-3-4.<ns>.pod.<domain>` → 1.2.3.4 (CoreDNS "pods insecure", k3s's default). */
export function podAddress(name: string, domain: string): string | undefined {
  const suffix = `.pod.${domain}`;
  if (!name.endsWith(suffix)) return undefined;
  const labels = name.slice(0, -suffix.length).split('.');
  if (labels.length !== 2) return undefined;
  const m = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/.exec(labels[0]!);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined;
  return m.slice(1).join('.');
}

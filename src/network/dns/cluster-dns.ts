/** The node's cluster DNS: the record index rebuilt from the agent's service cache on every change. */
import type pino from 'pino';
import type { ServiceCache } from '../../agent/service-cache.ts';
import { hostResolvers, Upstream, type UpstreamServer } from './forward.ts';
import { buildIndex, type RecordIndex } from './records.ts';
import { type DnsServer, startDnsServer } from './server.ts';

export interface ClusterDnsOptions {
  cache: ServiceCache;
  domain: string;
  host: string;
  port: number;
  upstream?: UpstreamServer[];
  log: pino.Logger;
}

export async function startClusterDns(o: ClusterDnsOptions): Promise<DnsServer> {
  let index: RecordIndex = buildIndex(o.domain, [], []);
  const rebuild = () => {
    index = buildIndex(o.domain, [...o.cache.services.values()], [...o.cache.slices.values()]);
  };
  rebuild();
  o.cache.onChange(rebuild);
  const upstream = new Upstream(o.upstream ?? hostResolvers());
  return startDnsServer({ host: o.host, port: o.port, index: () => index, upstream, log: o.log });
}

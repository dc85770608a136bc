/**
 * Chain and set names for per-Service objects: a short hash (unique, stable) followed by the
 * readable id, as kube-proxy names them (`service-ULMVA6XW-ns/svc/tcp/http`). nft allows 256
 * bytes; the readable part is cut to stay well inside that.
 */
/** Two 32-bit FNV-1a hashes in base 36: cheap (thousands per sync), and only a tiebreaker. */
function hash(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return ((a >>> 0).toString(36) + (b >>> 0).toString(36)).padStart(8, '0').slice(-8);
}
const readable = (s: string) => (s.length > 160 ? s.slice(0, 160) : s);

/** `prefix-HASH-id`; the hash covers the prefix too, so two kinds never collide. */
export const objName = (prefix: string, id: string): string =>
  `${prefix}-${hash(`${prefix}|${id}`)}-${readable(id)}`;

export const serviceChain = (id: string) => objName('svc', id);
export const localChain = (id: string) => objName('svl', id);
export const externalChain = (id: string) => objName('ext', id);
export const endpointChain = (id: string, ip: string, port: number) => objName('ep', `${id}__${ip}/${port}`);
export const affinitySet = (id: string, ip: string, port: number) => objName('aff', `${id}__${ip}/${port}`);

export const defaultTable = 'skiff';
export const masqueradeMark = 0x4000;

// Fixed chain and set names.
export const chains = {
  natPrerouting: 'nat-prerouting',
  natOutput: 'nat-output',
  natPostrouting: 'nat-postrouting',
  filterInput: 'filter-input',
  filterForward: 'filter-forward',
  filterOutput: 'filter-output',
  services: 'services',
  endpointsCheck: 'service-endpoints-check',
  rejectChain: 'reject-chain',
  markForMasquerade: 'mark-for-masquerade',
  masquerading: 'masquerading',
  clusterEgress: 'cluster-egress',
} as const;
export const sets = {
  serviceIps: 'service-ips',
  serviceNodePorts: 'service-nodeports',
  nodePortIps: 'nodeport-ips',
  noEndpointServices: 'no-endpoint-services',
  noEndpointNodePorts: 'no-endpoint-nodeports',
  clusterIps: 'cluster-ips',
  hairpin: 'hairpin',
} as const;

/** Answers one DNS query from the record index; names outside the cluster go to `forward`. */
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import { podAddress, type RecordIndex } from './records.ts';

export const TTL = 5;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const AA = 0x0400;
const RD = 0x0100;
const RA = 0x0080;

export type Forward = (query: Buffer) => Promise<Buffer | undefined>;

/** Every proper ancestor of a known name inside the domain ("empty non-terminals": NODATA, not NXDOMAIN). */
const ancestorsOf = new WeakMap<RecordIndex, Set<string>>();
function ancestors(index: RecordIndex): Set<string> {
  let set = ancestorsOf.get(index);
  if (set) return set;
  set = new Set();
  for (const name of index.names.keys()) {
    for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) {
      const parent = name.slice(i + 1);
      if (set.has(parent)) break;
      set.add(parent);
    }
  }
  ancestorsOf.set(index, set);
  return set;
}

function soa(index: RecordIndex): Answer {
  return {
    name: index.domain,
    type: 'SOA',
    ttl: TTL,
    data: {
      mname: `ns.dns.${index.domain}`,
      rname: `hostmaster.${index.domain}`,
      serial: 1,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: TTL,
    },
  } as Answer;
}

export interface Reply {
  packet: Packet;
  /** Set when the reply is a forwarded upstream answer, sent as the upstream wrote it. */
  raw?: Buffer;
}

function reply(
  query: DecodedPacket,
  rcode: number,
  authoritative: boolean,
  rest: Partial<Packet> = {},
): Reply {
  const flags = ((query.flags ?? 0) & RD) | RA | (authoritative ? AA : 0) | rcode;
  return { packet: { type: 'response', id: query.id, flags, questions: query.questions, ...rest } };
}

/** QTYPE 255 (ANY), which dns-packet's RecordType does not list. */
const isAny = (q: Question) => (q.type as string) === 'ANY';

const inDomain = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);
const isReverse = (name: string) => name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa');

function recordsFor(
  index: RecordIndex,
  name: string,
  q: Question,
): { answers: Answer[]; additionals: Answer[] } | undefined {
  const pod = podAddress(name, index.domain);
  if (pod)
    return {
      answers: q.type === 'A' || isAny(q) ? [{ name: q.name, type: 'A', ttl: TTL, data: pod }] : [],
      additionals: [],
    };
  const r = index.names.get(name);
  if (!r) return ancestors(index).has(name) ? { answers: [], additionals: [] } : undefined;
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  if (r.cname) {
    answers.push({ name: q.name, type: 'CNAME', ttl: TTL, data: r.cname });
    const target = index.names.get(r.cname);
    if (target && (q.type === 'A' || q.type === 'AAAA'))
      for (const ip of q.type === 'A' ? target.a : target.aaaa)
        answers.push({ name: r.cname, type: q.type, ttl: TTL, data: ip });
    return { answers, additionals };
  }
  const want = (t: string) => q.type === t || isAny(q);
  if (want('A')) for (const ip of r.a) answers.push({ name: q.name, type: 'A', ttl: TTL, data: ip });
  if (want('AAAA')) for (const ip of r.aaaa) answers.push({ name: q.name, type: 'AAAA', ttl: TTL, data: ip });
  if (want('SRV'))
    for (const s of r.srv) {
      answers.push({
        name: q.name,
        type: 'SRV',
        ttl: TTL,
        data: { priority: s.priority, weight: s.weight, port: s.port, target: s.target },
      });
      for (const ip of index.names.get(s.target)?.a ?? [])
        if (!additionals.some((a) => a.name === s.target && (a as { data?: unknown }).data === ip))
          additionals.push({ name: s.target, type: 'A', ttl: TTL, data: ip });
    }
  return { answers, additionals };
}

/**
 * The reply to a decoded query: authoritative inside the cluster domain (NXDOMAIN for names that
 * do not exist, NODATA for names without records of the asked type), PTR for cluster
 * addresses, everything else forwarded upstream.
 */
export async function answer(
  index: RecordIndex,
  query: DecodedPacket,
  raw: Buffer,
  forward: Forward,
): Promise<Reply> {
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  if (opcode !== 0) return reply(query, RCODE.NOTIMP, false);
  const q = query.questions?.[0];
  if (!q || query.questions!.length !== 1) return reply(query, RCODE.FORMERR, false);
  const name = q.name.toLowerCase().replace(/\.$/, '');
  if (inDomain(name, index.domain)) {
    const found = recordsFor(index, name, q);
    if (!found) return reply(query, RCODE.NXDOMAIN, true, { authorities: [soa(index)] });
    return reply(query, RCODE.NOERROR, true, {
      answers: found.answers,
      additionals: found.additionals,
      ...(found.answers.length === 0 ? { authorities: [soa(index)] } : {}),
    });
  }
  if (isReverse(name) && (q.type === 'PTR' || isAny(q))) {
    const targets = index.ptr.get(name);
    if (targets)
      return reply(query, RCODE.NOERROR, true, {
        answers: targets.map((t) => ({ name: q.name, type: 'PTR', ttl: TTL, data: t })),
      });
  }
  const upstream = await forward(raw).catch(() => undefined);
  if (!upstream) return reply(query, RCODE.SERVFAIL, false);
  return { packet: {}, raw: upstream };
}

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, test } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import * as dns from 'dns-packet';
import pino from 'pino';
import { Upstream } from './forward.ts';
import { buildIndex, reverseName } from './records.ts';
import { type DnsServer, startDnsServer } from './server.ts';

const log = pino({ level: 'silent' });
const services: V1Service[] = [
  {
    metadata: { name: 'nginx-svc', namespace: 'default' },
    spec: {
      clusterIP: '10.43.0.20',
      clusterIPs: ['10.43.0.20'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    },
  },
  {
    metadata: { name: 'db', namespace: 'data' },
    spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] },
  },
  {
    metadata: { name: 'ext', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'nginx-svc.default.svc.cluster.local' },
  },
];
const slices: V1EndpointSlice[] = [
  {
    addressType: 'IPv4',
    metadata: { name: 'db-abc', namespace: 'data', labels: { 'kubernetes.io/service-name': 'db' } },
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.42.0.7'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.42.0.8'], conditions: { ready: true } },
      { addresses: ['10.42.0.9'], hostname: 'db-2', conditions: { ready: false } },
    ],
  },
];

let server: DnsServer;
let upstream: DnsServer;

before(async () => {
  // A stand-in for the host's resolver, on loopback: it knows one outside name.
  const outside = buildIndex(
    'example.test',
    [{ metadata: { name: 'www', namespace: 'x' }, spec: { clusterIP: '192.0.2.1' } }],
    [],
  );
  upstream = await startDnsServer({
    host: '127.0.0.1',
    port: 0,
    index: () => outside,
    upstream: new Upstream([]),
    log,
  });
  const index = buildIndex('cluster.local', services, slices);
  server = await startDnsServer({
    host: '127.0.0.1',
    port: 0,
    index: () => index,
    upstream: new Upstream([{ host: '127.0.0.1', port: upstream.port }], 500),
    log,
  });
});
after(async () => {
  await server.close();
  await upstream.close();
});

function udpQuery(raw: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('no answer'));
    }, 2000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(raw, server.port, '127.0.0.1');
  });
}

async function ask(name: string, type: dns.RecordType = 'A') {
  const raw = dns.encode({ type: 'query', id: 7, flags: dns.RECURSION_DESIRED, questions: [{ type, name }] });
  return dns.decode(await udpQuery(raw)) as dns.DecodedPacket & { rcode: string };
}
const data = (p: dns.DecodedPacket) => (p.answers ?? []).map((a) => (a as { data: unknown }).data);

test('services resolve to their ClusterIP; unknown names in the domain are NXDOMAIN', async () => {
  const a = await ask('nginx-svc.default.svc.cluster.local');
  assert.equal(a.rcode, 'NOERROR');
  assert.equal(a.flag_aa, true);
  assert.deepEqual(data(a), ['10.43.0.20']);
  assert.equal((await ask('NGINX-SVC.default.svc.cluster.local.')).answers?.length, 1);
  const nx = await ask('nosuch.default.svc.cluster.local');
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.authorities?.[0]?.type, 'SOA');
  const nodata = await ask('nginx-svc.default.svc.cluster.local', 'AAAA');
  assert.equal(nodata.rcode, 'NOERROR');
  assert.equal(nodata.answers?.length, 0);
  assert.equal((await ask('default.svc.cluster.local')).rcode, 'NOERROR');
});

test('headless services give ready endpoints; StatefulSet pods get their own names; SRV and PTR', async () => {
  assert.deepEqual(data(await ask('db.data.svc.cluster.local')).sort(), ['10.42.0.7', '10.42.0.8']);
  assert.deepEqual(data(await ask('db-0.db.data.svc.cluster.local')), ['10.42.0.7']);
  assert.equal((await ask('db-2.db.data.svc.cluster.local')).rcode, 'NXDOMAIN');
  const srv = await ask('_http._tcp.nginx-svc.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(srv), [
    { priority: 0, weight: 100, port: 80, target: 'nginx-svc.default.svc.cluster.local' },
  ]);
  assert.equal(srv.additionals?.[0]?.type, 'A');
  const hsrv = await ask('_pg._tcp.db.data.svc.cluster.local', 'SRV');
  assert.deepEqual(
    data(hsrv)
      .map((d) => (d as { target: string }).target)
      .sort(),
    ['10-42-0-8.db.data.svc.cluster.local', 'db-0.db.data.svc.cluster.local'],
  );
  assert.deepEqual(data(await ask(reverseName('10.43.0.20')!, 'PTR')), [
    'nginx-svc.default.svc.cluster.local',
  ]);
  assert.deepEqual(data(await ask('10-42-0-5.default.pod.cluster.local')), ['10.42.0.5']);
});

test('ExternalName is a CNAME; outside names are forwarded upstream', async () => {
  const c = await ask('ext.default.svc.cluster.local');
  assert.equal(c.answers?.[0]?.type, 'CNAME');
  assert.deepEqual(data(c), ['nginx-svc.default.svc.cluster.local', '10.43.0.20']);
  const fwd = await ask('www.x.svc.example.test');
  assert.deepEqual(data(fwd), ['192.0.2.1']);
});

test('a malformed query gets FORMERR and the server keeps serving, over TCP too', async () => {
  const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
  const reply = await udpQuery(garbage);
  assert.equal(reply.readUInt16BE(0), 0x1234);
  assert.equal(reply.readUInt16BE(2) & 0xf, 1);
  assert.deepEqual(data(await ask('nginx-svc.default.svc.cluster.local')), ['10.43.0.20']);
  const raw = dns.encode({
    type: 'query',
    id: 9,
    questions: [{ type: 'A', name: 'db.data.svc.cluster.local' }],
  });
  const tcpReply = await new Promise<Buffer>((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(raw.length);
      s.write(Buffer.concat([len, raw]));
    });
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(buf.subarray(2));
      }
    });
    s.on('error', reject);
  });
  assert.equal(data(dns.decode(tcpReply)).length, 2);
});

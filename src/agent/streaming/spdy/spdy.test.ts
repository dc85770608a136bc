import assert from 'node:assert/strict';
import { Duplex, duplexPair } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';
import { SpdyConnection, type SpdyStream } from './connection.ts';
import { SPDY3_DICTIONARY } from './dictionary.ts';
import { encodeFrame, type Frame, FrameReader, SpdyProtocolError } from './frames.ts';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor } from './headers.ts';

const samples: Frame[] = [
  { type: 'data', streamId: 3, fin: false, data: Buffer.from('hello') },
  { type: 'data', streamId: 0x7ffffff1, fin: true, data: Buffer.alloc(0) },
  {
    type: 'syn_stream',
    streamId: 1,
    associatedId: 0,
    priority: 3,
    fin: false,
    unidirectional: true,
    block: Buffer.from([1, 2, 3]),
  },
  { type: 'syn_reply', streamId: 1, fin: true, block: Buffer.from([9]) },
  { type: 'rst_stream', streamId: 5, status: 5 },
  { type: 'settings', clear: false, entries: [{ id: 7, flags: 0, value: 1 << 20 }] },
  { type: 'ping', id: 0xfffffffe },
  { type: 'goaway', lastGoodStreamId: 7, status: 0 },
  { type: 'headers', streamId: 9, fin: false, block: Buffer.from([4, 5]) },
  { type: 'window_update', streamId: 0, delta: 12345 },
];

describe('SPDY frames', () => {
  it('round-trips every frame type', () => {
    for (const f of samples) assert.deepEqual(new FrameReader().push(encodeFrame(f)), [f]);
  });

  it('reassembles frames split at every byte', () => {
    const wire = Buffer.concat(samples.map(encodeFrame));
    const reader = new FrameReader();
    const got: Frame[] = [];
    for (let i = 0; i < wire.length; i++) got.push(...reader.push(wire.subarray(i, i + 1)));
    assert.deepEqual(got, samples);
  });

  it('writes the control header as SPDY/3 does', () => {
    const bytes = encodeFrame({ type: 'ping', id: 1 });
    assert.deepEqual([...bytes], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
    const data = encodeFrame({ type: 'data', streamId: 1, fin: true, data: Buffer.from('x') });
    assert.deepEqual([...data], [0, 0, 0, 1, 0x01, 0, 0, 1, 0x78]);
  });

  it('refuses other versions and oversized frames', () => {
    const v2 = encodeFrame({ type: 'ping', id: 1 });
    v2.writeUInt16BE(0x8002, 0);
    assert.throws(() => new FrameReader().push(v2), SpdyProtocolError);
    const big = encodeFrame({ type: 'data', streamId: 1, fin: false, data: Buffer.alloc(100) });
    assert.throws(() => new FrameReader(50).push(big), /too large/);
    const short = encodeFrame({ type: 'rst_stream', streamId: 1, status: 1 });
    short.writeUInt32BE(4, 4);
    assert.throws(() => new FrameReader().push(short.subarray(0, 12)), /RST_STREAM/);
  });
});

describe('SPDY header blocks', () => {
  it('encodes names lower-case and joins repeated names with NUL', () => {
    const block = encodeHeaderBlock({ StreamType: 'error', port: '8080' });
    assert.deepEqual(decodeHeaderBlock(block), { streamtype: 'error', port: '8080' });
    const twice = Buffer.concat([
      Buffer.from([0, 0, 0, 2]),
      encodeHeaderBlock({ a: '1' }).subarray(4),
      encodeHeaderBlock({ A: '2' }).subarray(4),
    ]);
    assert.deepEqual(decodeHeaderBlock(twice), { a: '1\u00002' });
    assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9])), /truncated/);
  });

  it('shares one zlib context per direction across blocks', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const blocks = await Promise.all([
      c.compress({ streamtype: 'error', port: '80', requestid: '0' }),
      c.compress({ streamtype: 'data', port: '80', requestid: '0' }),
    ]);
    // The second block leans on the first: alone, it cannot be inflated.
    assert.ok(blocks[1]!.length < blocks[0]!.length);
    assert.deepEqual(await d.decompress(blocks[0]!), { streamtype: 'error', port: '80', requestid: '0' });
    assert.deepEqual(await d.decompress(blocks[1]!), { streamtype: 'data', port: '80', requestid: '0' });
    c.close();
    d.close();
  });

  it('is readable by a plain zlib inflater primed with the SPDY/3 dictionary', async () => {
    const c = new HeaderCompressor();
    const block = await c.compress({ method: 'GET', url: '/x' });
    const raw = zlib.inflateSync(block, {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    assert.deepEqual(decodeHeaderBlock(raw), { method: 'GET', url: '/x' });
    c.close();
  });
});

/** A duplex that hands every write to the other side in 1..7-byte pieces. */
function choppy(inner: Duplex): Duplex {
  const outer = new Duplex({
    write(chunk: Buffer, _e, cb) {
      let i = 0;
      while (i < chunk.length) {
        const n = 1 + ((i * 7) % 7);
        inner.write(chunk.subarray(i, i + n));
        i += n;
      }
      cb();
    },
    final(cb) {
      inner.end();
      cb();
    },
    read() {},
  });
  inner.on('data', (c) => outer.push(c));
  inner.on('end', () => outer.push(null));
  return outer;
}

function pair(enforce = false, chop = false) {
  const [a, b] = duplexPair();
  const client = new SpdyConnection(chop ? choppy(a) : a, { isServer: false, flowControl: enforce });
  const server = new SpdyConnection(b, { isServer: true, flowControl: enforce });
  return { client, server };
}

async function readAll(s: SpdyStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('SPDY connection', () => {
  it('opens streams, exchanges data both ways, half-closes with FIN', async () => {
    for (const chop of [false, true]) {
      const { client, server } = pair(false, chop);
      server.on('stream', async (s: SpdyStream) => {
        await s.reply({ ok: s.headers.streamtype ?? '' });
        const body = await readAll(s);
        s.end(Buffer.concat([Buffer.from(`${s.id}:`), body]));
      });
      const [s1, s2] = await Promise.all([
        client.open({ streamType: 'stdin' }),
        client.open({ streamType: 'stdout' }),
      ]);
      assert.equal(s1.id, 1);
      assert.equal(s2.id, 3);
      assert.deepEqual(s1.replyHeaders, { ok: 'stdin' });
      s1.end('one');
      s2.end('two');
      assert.equal((await readAll(s1)).toString(), '1:one');
      assert.equal((await readAll(s2)).toString(), '3:two');
      assert.ok((await client.ping()) >= 0);
      assert.ok((await server.ping()) >= 0);
      client.close();
      await new Promise((r) => server.once('close', r));
    }
  });

  it('rejects open() when the peer resets the stream, and destroys reset streams', async () => {
    const { client, server } = pair();
    server.on('stream', (s: SpdyStream) => s.reset(3));
    await assert.rejects(client.open({ a: 'b' }), /reset by the peer \(status 3\)/);
    client.destroy();
  });

  it('refuses new streams after GOAWAY', async () => {
    const { client, server } = pair();
    const gone = new Promise((r) => client.once('goaway', r));
    server.close();
    await gone;
    await assert.rejects(client.open({}), /closed/);
    client.destroy();
  });

  it('honours flow-control windows when asked and sends WINDOW_UPDATE as data is read', async () => {
    const { client, server } = pair(true);
    let serverStream: SpdyStream | undefined;
    server.on('stream', async (s: SpdyStream) => {
      serverStream = s;
      s.pause();
      await s.reply({});
    });
    const s = await client.open({});
    const payload = Buffer.alloc(300 * 1024, 7);
    let written = false;
    s.end(payload, () => {
      written = true;
    });
    await sleep(50);
    // The receiver reads nothing: at most one window (64 KiB) beyond what its readable buffer
    // (its high-water mark) took may be in flight.
    assert.equal(written, false);
    assert.ok(s.sendWindow <= 0, `send window ${s.sendWindow}`);
    const bound = 64 * 1024 + serverStream!.readableHighWaterMark;
    assert.ok(serverStream!.readableLength <= bound, `${serverStream!.readableLength} buffered`);
    const got = await readAll(serverStream!);
    assert.equal(got.length, payload.length);
    assert.ok(written);
    client.destroy();
  });

  it('without flow control, sends past the window and sends no WINDOW_UPDATE (spdystream peers)', async () => {
    const { client, server } = pair(false);
    const updates: number[] = [];
    const reader = new FrameReader();
    // Watch what the receiving side writes back.
    const origWrite = (server as unknown as { socket: Duplex }).socket.write.bind(
      (server as unknown as { socket: Duplex }).socket,
    );
    (server as unknown as { socket: Duplex }).socket.write = ((chunk: Buffer, ...rest: never[]) => {
      for (const f of reader.push(Buffer.from(chunk)))
        if (f.type === 'window_update') updates.push(f.streamId);
      return origWrite(chunk, ...rest);
    }) as never;
    let serverStream: SpdyStream | undefined;
    server.on('stream', async (s: SpdyStream) => {
      serverStream = s;
      s.pause();
      await s.reply({});
    });
    const s = await client.open({});
    await new Promise<void>((r) => s.end(Buffer.alloc(200 * 1024), () => r()));
    assert.ok(s.sendWindow < 0);
    assert.equal((await readAll(serverStream!)).length, 200 * 1024);
    assert.deepEqual(updates, []);
    client.destroy();
  });

  it('fails the session on garbage instead of throwing', async () => {
    const [a, b] = duplexPair();
    const conn = new SpdyConnection(b, { isServer: true });
    const err = new Promise<Error>((r) => conn.once('error', r));
    a.write(Buffer.from([0x80, 0x09, 0, 1, 0, 0, 0, 0]));
    assert.match((await err).message, /unsupported version 9/);
  });
});

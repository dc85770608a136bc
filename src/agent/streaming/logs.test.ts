import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LogLineJoiner, parseCriLogLine } from './cri-log.ts';
import { type LogOptions, parseLogOptions, parseRfc3339 } from './log-options.ts';
import { streamCriLog } from './log-reader.ts';

const line = (t: string, s: string, tag: string, text: string) => `${t} ${s} ${tag} ${text}\n`;
const T1 = '2026-11-23T10:00:01.123456789Z';
const T2 = '2026-11-23T10:00:02.5Z';
const T3 = '2026-11-23T12:00:03.000000001+02:00';

describe('CRI log lines', () => {
  it('parses stream, tag and content, keeping the timestamp as written', () => {
    const e = parseCriLogLine(Buffer.from(`${T1} stderr P half a line`))!;
    assert.equal(e.timestamp, T1);
    assert.equal(e.time.toISOString(), '2026-11-23T10:00:01.123Z');
    assert.equal(e.stream, 'stderr');
    assert.equal(e.partial, true);
    assert.equal(e.content.toString(), 'half a line');
    assert.equal(parseCriLogLine(Buffer.from(`${T2} stdout F`))!.content.length, 0);
    assert.equal(parseCriLogLine(Buffer.from(`${T2} stdout F:x ok`))!.content.toString(), 'ok');
    assert.equal(
      parseCriLogLine(Buffer.from(`${T3} stdout F x`))!.time.toISOString(),
      '2026-11-23T10:00:03.000Z',
    );
    for (const bad of ['', 'garbage', `${T1} stdin F x`, `${T1} stdout X x`, `yesterday stdout F x`]) {
      assert.equal(parseCriLogLine(Buffer.from(bad)), undefined, bad);
    }
  });

  it('joins partial entries into one line, timestamped by its first piece', () => {
    const j = new LogLineJoiner(true);
    const out = [`${T1} stdout P abc`, `${T2} stdout P def`, `${T2} stdout F ghi`, `${T3} stdout F next`].map(
      (l) => j.render(parseCriLogLine(Buffer.from(l))!).toString(),
    );
    assert.equal(out.join(''), `${T1} abcdefghi\n${T3} next\n`);
  });
});

describe('log options', () => {
  it('reads the kubelet query parameters', () => {
    const now = new Date('2026-01-01T00:01:00Z');
    const o = parseLogOptions(
      new URLSearchParams('follow=true&tailLines=5&timestamps=1&sinceSeconds=60&limitBytes=9'),
      now,
    );
    assert.deepEqual(o, {
      follow: true,
      previous: false,
      timestamps: true,
      tailLines: 5,
      since: new Date('2026-01-01T00:00:00Z'),
      limitBytes: 9,
    });
    assert.equal(
      parseLogOptions(new URLSearchParams(`sinceTime=${T1}`)).since?.toISOString(),
      '2026-11-23T10:00:01.123Z',
    );
  });

  it('refuses bad values with the field named', () => {
    assert.throws(() => parseLogOptions(new URLSearchParams('tailLines=-1')), /tailLines: Invalid value: -1/);
    assert.throws(() => parseLogOptions(new URLSearchParams('limitBytes=0')), /limitBytes/);
    assert.throws(() => parseLogOptions(new URLSearchParams('follow=maybe')), /follow: Invalid value/);
    assert.throws(() => parseLogOptions(new URLSearchParams('sinceTime=yesterday')), /sinceTime/);
    assert.throws(
      () => parseLogOptions(new URLSearchParams(`sinceSeconds=1&sinceTime=${T1}`)),
      /at most one/,
    );
    assert.equal(parseRfc3339('2026-11-23 10:00:00Z'), undefined);
  });
});

describe('streamCriLog', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'skiff-logs-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const base: LogOptions = { follow: false, previous: false, timestamps: false };
  async function collect(file: string, options: LogOptions, isRunning = async () => false) {
    const parts: Buffer[] = [];
    await streamCriLog(
      file,
      options,
      { write: async (c) => void parts.push(c) },
      { isRunning, pollMs: 10, stateCheckMs: 30 },
    );
    return Buffer.concat(parts).toString();
  }

  it('applies tailLines, since and limitBytes, skipping lines it cannot parse', async () => {
    const file = path.join(dir, 'a.log');
    const lines = Array.from({ length: 200 }, (_, i) =>
      line(
        `2026-11-23T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
        'stdout',
        'F',
        `line ${i} ${'x'.repeat(i * 10)}`,
      ),
    );
    await writeFile(file, `${lines.slice(0, 100).join('')}not a log line\n${lines.slice(100).join('')}`);
    const all = await collect(file, base);
    assert.equal(all.split('\n').length - 1, 200);
    const tail = await collect(file, { ...base, tailLines: 3 });
    assert.deepEqual(
      tail
        .split('\n')
        .slice(0, 3)
        .map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['line 197', 'line 198', 'line 199'],
    );
    assert.equal(await collect(file, { ...base, tailLines: 0 }), '');
    assert.equal((await collect(file, { ...base, tailLines: 1000 })).split('\n').length - 1, 200);
    const limited = await collect(file, { ...base, limitBytes: 10 });
    assert.equal(limited, 'line 0 \nli');
    const since = await collect(file, { ...base, since: new Date('2026-11-23T10:00:58.000Z') });
    assert.deepEqual(
      since
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[1]),
      ['58', '59', '118', '119', '178', '179'],
    );
    const stamped = await collect(file, { ...base, tailLines: 1, timestamps: true });
    assert.match(stamped, /^2026-11-23T10:00:19\.000Z line 199 x+\n$/);
  });

  it('without follow, stops at the size the file had when asked', async () => {
    const file = path.join(dir, 'growing.log');
    await writeFile(file, line(T1, 'stdout', 'F', 'a') + line(T1, 'stdout', 'F', 'b'));
    let appended = false;
    const parts: string[] = [];
    await streamCriLog(
      file,
      { ...base, tailLines: 1 },
      {
        write: async (c) => {
          parts.push(c.toString());
          if (!appended) {
            appended = true;
            await appendFile(file, line(T2, 'stdout', 'F', 'late'));
          }
        },
      },
    );
    assert.equal(parts.join(''), 'b\n');
  });

  it('follows growth and rotation, and ends once the container stops', async () => {
    const file = path.join(dir, '0.log');
    await writeFile(file, line(T1, 'stdout', 'F', 'first'));
    let running = true;
    const parts: string[] = [];
    const done = streamCriLog(
      file,
      { ...base, follow: true },
      { write: async (c) => void parts.push(c.toString()) },
      { isRunning: async () => running, pollMs: 10, stateCheckMs: 20 },
    );
    await sleep(50);
    await appendFile(file, line(T2, 'stdout', 'P', 'sec'));
    await sleep(30);
    await appendFile(file, `${T2} stdout F ond\n${T2} stdout F thi`);
    await sleep(30);
    await appendFile(file, 'rd\n');
    await sleep(30);
    // Rotation: the kubelet renames the file and containerd reopens a new one at the path.
    await rename(file, `${file}.20261123-100000`);
    await writeFile(file, line(T3, 'stderr', 'F', 'after rotation'));
    await sleep(50);
    assert.equal(parts.join(''), 'first\nsecond\nthird\nafter rotation\n');
    await appendFile(file, line(T3, 'stdout', 'F', 'last words'));
    running = false;
    await done;
    assert.equal(parts.join(''), 'first\nsecond\nthird\nafter rotation\nlast words\n');
  });

  it('stops following when aborted', async () => {
    const file = path.join(dir, 'b.log');
    await writeFile(file, line(T1, 'stdout', 'F', 'x'));
    const ac = new AbortController();
    const done = streamCriLog(
      file,
      { ...base, follow: true },
      { write: async () => undefined },
      { isRunning: async () => true, signal: ac.signal, pollMs: 10 },
    );
    await sleep(30);
    ac.abort();
    await done;
  });
});

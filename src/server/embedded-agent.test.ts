import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { keepStarting, type Stoppable } from './embedded-agent.ts';

const log = pino({ level: 'silent' });
const tick = () => new Promise((r) => setImmediate(r));

describe('keepStarting', () => {
  it('retries a failed start with doubling delays, then stops what started', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const tries: number[] = [];
    let stops = 0;
    let now = 0;
    const handle = keepStarting(
      async () => {
        tries.push(now);
        if (tries.length < 4) throw new Error('fetch failed');
        return { stop: async () => void stops++ };
      },
      log,
      { firstMs: 100, maxMs: 300 },
    );
    for (let i = 0; i < 20; i++) {
      await tick();
      now += 50;
      t.mock.timers.tick(50);
    }
    assert.deepEqual(tries, [0, 100, 300, 600]);
    await handle.stop();
    assert.equal(stops, 1);
  });

  it('stop() during a start stops the agent once it is up; no retry after stop', async () => {
    let release!: (s: Stoppable) => void;
    let stops = 0;
    let calls = 0;
    const handle = keepStarting(() => {
      calls++;
      return new Promise<Stoppable>((r) => {
        release = r;
      });
    }, log);
    const stopping = handle.stop();
    release({ stop: async () => void stops++ });
    await stopping;
    assert.equal(stops, 1);
    assert.equal(calls, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command, NftOptions } from '../nftables/index.ts';
import { markerChain, type NftRunner, Proxier } from './proxier.ts';

/** An in-memory nft: records transactions, can fail the next ones, answers the marker read. */
class FakeNft implements NftRunner {
  transactions: Command[][] = [];
  failNext = 0;
  marker: string | null = null;
  async apply(commands: Command[], _opts: NftOptions): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      const err = new Error('nft transaction failed (exit 1): Error: Could not process rule') as Error & {
        stderr: string;
      };
      err.stderr = 'Error: Could not process rule';
      throw err;
    }
    this.transactions.push(commands);
    for (const c of commands) {
      const rule = (c as { add?: { rule?: { chain: string; comment?: string } } }).add?.rule;
      if (rule?.chain === markerChain) this.marker = rule.comment ?? null;
    }
  }
  async listChain(): Promise<unknown[] | null> {
    return this.marker === null ? null : [{ chain: {} }, { rule: { comment: this.marker } }];
  }
  kinds(): string[] {
    return this.transactions.map((t) =>
      JSON.stringify(t[1]).includes('"delete":{"table"') ? 'full' : 'partial',
    );
  }
}

const svc = (ip: string) => ({
  metadata: { namespace: 'default', name: `s-${ip}` },
  spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] },
});
const logs: string[] = [];
const log = {
  info() {},
  warn(_o: object, m: string) {
    logs.push(`warn ${m}`);
  },
  error(o: object, m: string) {
    logs.push(`error ${m} ${JSON.stringify(o)}`);
  },
};
const proxier = (nft: FakeNft, over = {}) =>
  new Proxier({
    nodeName: 'n',
    nodeIps: ['192.168.1.10'],
    clusterCidr: '10.42.0.0/16',
    families: ['ip'],
    runner: nft,
    log,
    batchDelayMs: 20,
    minSyncIntervalMs: 0,
    retryMs: 20,
    checkIntervalMs: 0,
    ...over,
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `cond` holds (the machine may be slow), failing after 5 s. */
async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const until = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('Proxier', () => {
  it('coalesces a burst of updates into one full sync, then applies changes as diffs', async () => {
    const nft = new FakeNft();
    const p = proxier(nft);
    for (let i = 1; i <= 20; i++) p.update({ services: [svc(`10.43.0.${i}`)], endpointSlices: [] });
    await waitFor('the first sync', () => nft.transactions.length === 1);
    await sleep(60);
    assert.deepEqual(nft.kinds(), ['full']);
    assert.match(JSON.stringify(nft.transactions[0]), /10\.43\.0\.20/);
    assert.doesNotMatch(JSON.stringify(nft.transactions[0]), /10\.43\.0\.19"/);
    p.update({ services: [svc('10.43.0.21')], endpointSlices: [] });
    await waitFor('the second sync', () => nft.transactions.length === 2);
    assert.deepEqual(nft.kinds(), ['full', 'partial']);
    assert.equal(p.status.generation, 2);
    assert.equal(nft.marker, 'skiff service proxy generation 2');
    // The same state again (a pod event that changes no rule): no nft run at all.
    p.update({ services: [svc('10.43.0.21')], endpointSlices: [] });
    await sleep(60);
    assert.equal(nft.transactions.length, 2);
    assert.equal(p.status.generation, 2);
    await p.stop();
  });

  it('keeps retrying a failed transaction with backoff, then replaces everything', async () => {
    const nft = new FakeNft();
    const p = proxier(nft);
    p.update({ services: [svc('10.43.0.1')], endpointSlices: [] });
    await p.sync();
    nft.failNext = 3;
    logs.length = 0;
    p.update({ services: [svc('10.43.0.2')], endpointSlices: [] });
    await waitFor('a failure', () => p.status.consecutiveFailures >= 1);
    assert.match(
      logs[0]!,
      /^error service proxy: nft transaction failed; previous rules stay in place .*Could not process rule/,
    );
    assert.match(logs[0]!, /"retryInMs":20/);
    await waitFor('the retries', () => nft.transactions.length === 2); // after 20 + 40 + 80 ms
    assert.match(logs[2]!, /"retryInMs":80/);
    assert.equal(p.status.consecutiveFailures, 0);
    assert.equal(p.status.lastError, undefined);
    assert.deepEqual(nft.kinds(), ['full', 'full']);
    assert.equal(logs.filter((l) => l.startsWith('error')).length, 3);
    await p.stop();
  });

  it('restores a deleted or flushed table found by the periodic check', async () => {
    const nft = new FakeNft();
    const p = proxier(nft);
    p.update({ services: [svc('10.43.0.1')], endpointSlices: [] });
    await p.sync();
    assert.equal(await p.check(), true);
    nft.marker = null; // `nft flush table` / `delete table`
    logs.length = 0;
    assert.equal(await p.check(), false);
    assert.match(logs[0]!, /table deleted or flushed; restoring/);
    assert.deepEqual(nft.kinds(), ['full', 'full']);
    assert.equal(await p.check(), true);
    await p.stop();
  });
});

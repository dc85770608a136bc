import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import type { Command } from '../nftables/index.ts';
import { PolicySyncer } from './syncer.ts';

const web: V1Pod = {
  metadata: { name: 'web', namespace: 'app', labels: { app: 'web' } },
  spec: { nodeName: 'n1', containers: [] },
  status: { phase: 'Running', podIPs: [{ ip: '10.42.0.2' }] },
};
const deny: V1NetworkPolicy = { metadata: { name: 'deny', namespace: 'app' }, spec: { podSelector: {} } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeRunner(failures = 0) {
  const applied: Command[][] = [];
  let fail = failures;
  return {
    applied,
    runner: {
      apply: async (commands: Command[]) => {
        if (fail-- > 0) throw new Error('nft transaction failed (exit 1): boom');
        applied.push(commands);
      },
      listChain: async () => null,
    },
  };
}

describe('PolicySyncer', () => {
  it('coalesces a burst of updates into one full transaction, then applies diffs', async () => {
    const { applied, runner } = fakeRunner();
    const s = new PolicySyncer({
      nodeName: 'n1',
      nodeIps: [],
      runner,
      batchDelayMs: 20,
      minSyncIntervalMs: 0,
    });
    for (let i = 0; i < 5; i++) s.update({ policies: [], pods: [web], namespaces: [] });
    await sleep(80);
    assert.equal(applied.length, 1);
    assert.equal(s.status.lastSyncKind, 'full');
    assert.ok(applied[0]!.some((c) => JSON.stringify(c).includes('"hook":"forward"')));
    s.update({ policies: [deny], pods: [web], namespaces: [] });
    await s.sync();
    assert.equal(s.status.lastSyncKind, 'partial');
    assert.match(JSON.stringify(applied[1]), /"add":\{"element".*10\.42\.0\.2.*"jump"/);
    await s.stop();
  });

  it('retries a refused transaction with a full replace', async () => {
    const { applied, runner } = fakeRunner(2);
    const s = new PolicySyncer({ nodeName: 'n1', nodeIps: [], runner, retryMs: 10, minSyncIntervalMs: 0 });
    s.update({ policies: [deny], pods: [web], namespaces: [] });
    await s.sync();
    assert.equal(s.status.consecutiveFailures, 1);
    assert.match(s.status.lastError ?? '', /boom/);
    const until = Date.now() + 2000;
    while (s.status.lastError && Date.now() < until) await sleep(10);
    assert.equal(s.status.lastError, undefined);
    assert.equal(s.status.lastSyncKind, 'full');
    assert.equal(applied.length, 1);
    await s.stop();
  });

  it('check() rebuilds in full when the marker is gone', async () => {
    const { applied, runner } = fakeRunner();
    const s = new PolicySyncer({
      nodeName: 'n1',
      nodeIps: [],
      runner,
      families: ['ip'],
      minSyncIntervalMs: 0,
    });
    s.update({ policies: [], pods: [], namespaces: [] });
    await s.sync();
    assert.equal(await s.check(), false, 'listChain found nothing');
    assert.equal(applied.length, 2);
    assert.equal(s.status.lastSyncKind, 'full');
    await s.stop();
  });
});

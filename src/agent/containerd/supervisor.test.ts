import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RestartedEvent } from './supervisor.ts';
import { ContainerdStartError, startContainerd } from './supervisor.ts';

// A stand-in for `containerd --config FILE`: reads the [grpc] address from FILE and answers CRI
// Version there. The real containerd is exercised by test/agent-runtime.test.ts (root only).
const clientUrl = new URL('../cri/client.ts', import.meta.url).href;
const grpcUrl = import.meta.resolve('@grpc/grpc-js');
const FAKE = `#!/usr/bin/env node
import { readFileSync, rmSync } from 'node:fs';
import grpc from ${JSON.stringify(grpcUrl)};
import { loadCriPackage } from ${JSON.stringify(clientUrl)};
const config = readFileSync(process.argv[process.argv.indexOf('--config') + 1], 'utf8');
const address = /\\[grpc\\]\\s*\\n\\s*address = "([^"]+)"/.exec(config)[1];
const mode = process.env.FAKE_CONTAINERD_MODE ?? '';
console.log('fake containerd ' + process.pid + ' mode=' + mode);
if (mode === 'crash') process.exit(3);
process.on('SIGTERM', () => (mode === 'ignore-term' ? console.log('ignoring SIGTERM') : process.exit(0)));
rmSync(address, { force: true });
const server = new grpc.Server();
server.addService(loadCriPackage().RuntimeService.service, {
  Version: (_c, cb) => cb(null, { version: '0.1.0', runtimeName: 'fake', runtimeVersion: String(process.pid) }),
});
server.bindAsync('unix://' + address, grpc.ServerCredentials.createInsecure(), (err) => { if (err) throw err; });
`;

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'sk-sup-'));
  const bin = join(dir, 'fake-containerd.mjs');
  writeFileSync(bin, FAKE);
  chmodSync(bin, 0o755);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const agentDir = join(dir, 'agent');
  const config = {
    nodeName: 'n1',
    sandboxImage: 'docker.io/skiff/pause:3.10',
    cniConfDir: join(agentDir, 'cni'),
    registriesDir: join(agentDir, 'registries'),
  };
  return { dir, bin, agentDir, config };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('starts containerd, restarts it with backoff after SIGKILL, and stops it', async (t) => {
  const { bin, agentDir, config } = setup(t);
  const sup = await startContainerd({
    agentDir,
    config,
    containerdBin: bin,
    backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 },
  });
  t.after(() => sup.stop(500));
  assert.equal(sup.endpoint, join(agentDir, 'containerd', 'containerd.sock'));
  const pid1 = sup.pid!;
  assert.ok(pid1 > 0);
  assert.equal((await sup.cri.runtime.version({})).runtimeVersion, String(pid1));
  assert.match(
    readFileSync(join(agentDir, 'containerd', 'config.toml'), 'utf8'),
    /restrict_oom_score_adj = true/,
  );
  assert.equal(readFileSync(join(agentDir, 'containerd', 'containerd.pid'), 'utf8').trim(), String(pid1));

  const restarts: RestartedEvent[] = [];
  sup.on('restarted', (e: RestartedEvent) => restarts.push(e));
  for (let i = 1; i <= 3; i++) {
    const before = sup.pid!;
    const t0 = Date.now();
    process.kill(before, 'SIGKILL');
    while (restarts.length < i) await sleep(20);
    // Backoff doubles: 100, 200, 400 ms before each new start.
    assert.ok(Date.now() - t0 >= 100 * 2 ** (i - 1) - 20, `restart ${i} waited its backoff`);
    assert.notEqual(sup.pid, before);
    assert.equal(restarts[i - 1]!.restarts, i);
  }
  // The same client reconnects to the new process.
  assert.equal((await sup.cri.runtime.version({})).runtimeVersion, String(sup.pid));
  assert.match(readFileSync(join(agentDir, 'containerd', 'containerd.log'), 'utf8'), /fake containerd \d+/);

  const last = sup.pid!;
  await sup.stop();
  assert.equal(alive(last), false);
  assert.equal(sup.pid, undefined);
  assert.equal(existsSync(join(agentDir, 'containerd', 'containerd.pid')), false);
  await sleep(300);
  assert.equal(restarts.length, 3, 'no restart after stop()');
});

test('stop() escalates to SIGKILL when containerd ignores SIGTERM', async (t) => {
  const { bin, agentDir, config } = setup(t);
  process.env.FAKE_CONTAINERD_MODE = 'ignore-term';
  t.after(() => delete process.env.FAKE_CONTAINERD_MODE);
  const sup = await startContainerd({ agentDir, config, containerdBin: bin });
  const pid = sup.pid!;
  const t0 = Date.now();
  await sup.stop(300);
  assert.ok(Date.now() - t0 >= 300);
  assert.equal(alive(pid), false);
});

test('a containerd that dies at start-up fails start with its log', async (t) => {
  const { bin, agentDir, config } = setup(t);
  process.env.FAKE_CONTAINERD_MODE = 'crash';
  t.after(() => delete process.env.FAKE_CONTAINERD_MODE);
  await assert.rejects(startContainerd({ agentDir, config, containerdBin: bin }), (e: Error) => {
    assert.ok(e instanceof ContainerdStartError);
    assert.match(e.message, /exited during start-up[\s\S]*fake containerd \d+ mode=crash/);
    return true;
  });
});

test('a missing binary and a too-long socket path fail clearly', async (t) => {
  const { agentDir, config } = setup(t);
  await assert.rejects(
    startContainerd({ agentDir, config, containerdBin: '/nonexistent/containerd' }),
    /cannot run containerd: spawn \/nonexistent\/containerd ENOENT/,
  );
  await assert.rejects(startContainerd({ agentDir: `/tmp/${'x'.repeat(100)}`, config }), /107-byte limit/);
});

test('a stale containerd from a crashed agent is stopped before a new start', async (t) => {
  const { bin, agentDir, config } = setup(t);
  const first = await startContainerd({ agentDir, config, containerdBin: bin });
  const stalePid = first.pid!;
  // Simulate the agent vanishing: forget the child without stopping it.
  (first as unknown as { stopping: boolean }).stopping = true;
  first.cri.close();
  const second = await startContainerd({ agentDir, config, containerdBin: bin });
  t.after(() => second.stop(500));
  assert.equal(alive(stalePid), false);
  assert.notEqual(second.pid, stalePid);
});

test('external endpoint mode connects without a child', async (t) => {
  const { bin, agentDir, config } = setup(t);
  const owner = await startContainerd({ agentDir, config, containerdBin: bin });
  t.after(() => owner.stop(500));
  const ext = await startContainerd({ endpoint: `unix://${owner.endpoint}` });
  assert.equal(ext.external, true);
  assert.equal(ext.pid, undefined);
  assert.equal((await ext.cri.runtime.version({})).runtimeName, 'fake');
  await ext.stop();
  assert.ok(alive(owner.pid!), 'stopping an external runtime leaves it running');
  await assert.rejects(
    startContainerd({ endpoint: join(agentDir, 'none.sock'), readyTimeoutMs: 300 }),
    /did not accept/,
  );
});

test('backoff doubles up to its cap and resets after a long enough run', async (t) => {
  const { bin, agentDir, config } = setup(t);
  const errors: string[] = [];
  const log = { info() {}, warn() {}, error: (m: string) => errors.push(m) };
  const sup = await startContainerd({
    agentDir,
    config,
    containerdBin: bin,
    log,
    backoff: { initialMs: 50, maxMs: 100, resetAfterMs: 1500 },
  });
  t.after(() => sup.stop(500));
  const killAndWaitRestart = async () => {
    const n = sup.restarts;
    process.kill(sup.pid!, 'SIGKILL');
    while (sup.restarts === n) await sleep(10);
  };
  await killAndWaitRestart();
  await killAndWaitRestart();
  await killAndWaitRestart();
  await sleep(1600);
  await killAndWaitRestart();
  const delays = errors.map((m) => Number(/restarting in (\d+) ms/.exec(m)?.[1]));
  assert.deepEqual(delays, [50, 100, 100, 50]);
});

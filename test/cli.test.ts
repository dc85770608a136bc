import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const skiff = path.join(import.meta.dirname, '..', 'bin', 'run.js');
const run = promisify(execFile);

test('skiff --help lists its commands', async () => {
  const { stdout } = await run(process.execPath, [skiff, '--help']);
  assert.match(stdout, /server\s+Run the skiff control plane/);
  assert.match(stdout, /agent\s+Run a skiff node agent/);
});

test('skiff agent refuses to run without its server and token', async () => {
  await assert.rejects(run(process.execPath, [skiff, 'agent']), (e: { code: number; stderr: string }) => {
    assert.notEqual(e.code, 0);
    assert.match(e.stderr, /Missing required flag.*server|server.*required/is);
    return true;
  });
});

test('skiff server opens its datastore under --data-dir, writes a kubeconfig, and stops cleanly on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-cli-'));
  const args = [
    'server',
    '--disable-agent',
    '--data-dir',
    dir,
    '--https-listen-port',
    '0',
    '--write-kubeconfig',
    path.join(dir, 'kc'),
  ];
  const child = spawn(process.execPath, [skiff, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let log = '';
    child.stderr.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: string) => {
        log += d;
        if (log.includes('API server ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
    });
    assert.ok(fs.existsSync(path.join(dir, 'server', 'db', 'state.db')));
    assert.equal(fs.statSync(path.join(dir, 'kc')).mode & 0o777, 0o600);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
    assert.match(log, /"msg":"stopped"/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

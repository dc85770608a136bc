import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './helpers/server.ts';

const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

describe('more of kubectl against skiff', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.cleanup();
  });

  test('api-resources and api-versions', async () => {
    const resources = await s.ok(['api-resources']);
    assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(resources, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    const versions = await s.ok(['api-versions']);
    assert.match(versions, /^apps\/v1$/m);
    assert.match(versions, /^v1$/m);
  });

  test('label, annotate, patch (merge, json, strategic), replace', async () => {
    await s.ok(['create', '-f', '-'], { input: cm('p', { a: '1' }) });
    assert.match(await s.ok(['label', 'cm', 'p', 'tier=web']), /configmap\/p labeled/);
    assert.match(await s.ok(['annotate', 'cm', 'p', 'note=hi']), /configmap\/p annotated/);
    assert.match(await s.ok(['label', 'cm', 'p', 'tier-']), /configmap\/p unlabeled/);
    await s.ok(['patch', 'cm', 'p', '--type=merge', '-p', '{"data":{"b":"2"}}']);
    await s.ok(['patch', 'cm', 'p', '--type=json', '-p', '[{"op":"remove","path":"/data/a"}]']);
    await s.ok(['patch', 'cm', 'p', '-p', '{"data":{"c":"3"}}']);
    const obj = JSON.parse(await s.ok(['get', 'cm', 'p', '-o', 'json']));
    assert.deepEqual(obj.data, { b: '2', c: '3' });
    assert.equal(obj.metadata.annotations.note, 'hi');
    assert.equal(obj.metadata.labels?.tier, undefined);
    obj.data = { replaced: 'yes' };
    assert.match(await s.ok(['replace', '-f', '-'], { input: JSON.stringify(obj) }), /configmap\/p replaced/);
    const stale = await s.kubectl(['replace', '-f', '-'], { input: JSON.stringify(obj) });
    assert.match(
      stale.stderr,
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
  });

  test('edit with EDITOR set to a script', async () => {
    await s.ok(['create', '-f', '-'], { input: cm('e', { v: 'old' }) });
    const editor = path.join(s.dir, 'editor.sh');
    fs.writeFileSync(editor, '#!/bin/sh\nsed -i "s/v: old/v: new/" "$1"\n', { mode: 0o755 });
    assert.match(
      await s.ok(['edit', 'cm', 'e'], { env: { EDITOR: editor, KUBE_EDITOR: editor } }),
      /configmap\/e edited/,
    );
    assert.equal(await s.ok(['get', 'cm', 'e', '-o', 'jsonpath={.data.v}']), 'new');
  });

  test('get -w streams changes', async () => {
    await s.ok(['create', '-f', '-'], { input: cm('w', { v: '1' }) });
    const watcher = spawn(
      'kubectl',
      ['--kubeconfig', s.kubeconfig, 'get', 'cm', 'w', '-w', '--output-watch-events'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    watcher.stdout.setEncoding('utf8');
    watcher.stdout.on('data', (d: string) => {
      out += d;
    });
    try {
      for (let i = 0; i < 100 && !/ADDED/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      await s.ok(['patch', 'cm', 'w', '--type=merge', '-p', '{"data":{"v":"2","x":"y"}}']);
      await s.ok(['delete', 'cm', 'w']);
      for (let i = 0; i < 100 && !/DELETED/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      watcher.kill();
    }
    assert.match(out, /ADDED\s+w\s+1\s/);
    assert.match(out, /MODIFIED\s+w\s+2\s/);
    assert.match(out, /DELETED\s+w\s+2\s/);
  });

  test('describe, get events, wait --for=delete', async () => {
    await s.ok(['create', '-f', '-'], { input: cm('d', { k: 'v' }, { app: 'd' }) });
    const uid = await s.ok(['get', 'cm', 'd', '-o', 'jsonpath={.metadata.uid}']);
    const now = new Date().toISOString().slice(0, 19) + 'Z';
    await s.ok(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'd.1' },
        involvedObject: { kind: 'ConfigMap', namespace: 'default', name: 'd', uid, apiVersion: 'v1' },
        reason: 'Tested',
        message: 'hello from the test',
        type: 'Normal',
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        source: { component: 'test' },
      }),
    });
    const described = await s.ok(['describe', 'cm', 'd']);
    assert.match(described, /^Name:\s+d$/m);
    assert.match(described, /^Labels:\s+app=d$/m);
    assert.match(described, /Normal\s+Tested\s+\S+\s+test\s+hello from the test/);
    assert.match(await s.ok(['get', 'events']), /\s+Normal\s+Tested\s+configmap\/d\s+hello from the test/);
    const waiting = s.kubectl(['wait', '--for=delete', 'cm/d', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 300));
    await s.ok(['delete', 'cm', 'd']);
    const w = await waiting;
    assert.equal(w.code, 0, w.stderr);
  });

  test('delete cascade modes and --wait', async () => {
    const deploy = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'casc' },
      spec: {
        selector: { matchLabels: { app: 'casc' } },
        template: {
          metadata: { labels: { app: 'casc' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    await s.ok(['create', '-f', '-'], { input: deploy });
    assert.match(await s.ok(['delete', 'deploy', 'casc', '--cascade=background', '--wait']), /deleted/);
    await s.ok(['create', '-f', '-'], { input: deploy });
    const orphan = await s.kubectl(['delete', 'deploy', 'casc', '--cascade=orphan', '--wait=false']);
    assert.equal(orphan.code, 0, orphan.stderr);
  });

  test('diff shows what apply would change', async () => {
    await s.ok(['apply', '-f', '-'], { input: cm('df', { a: '1' }) });
    const r = await s.kubectl(['diff', '-f', '-'], { input: cm('df', { a: '2' }) });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^-\s+a: "1"$/m);
    assert.match(r.stdout, /^\+\s+a: "2"$/m);
  });

  test('dry-run=server creates nothing; get all uses categories', async () => {
    assert.match(
      await s.ok(['create', 'configmap', 'dry', '--from-literal=a=b', '--dry-run=server']),
      /configmap\/dry created \(server dry run\)/,
    );
    assert.match((await s.kubectl(['get', 'cm', 'dry'])).stderr, /not found/);
    assert.match(await s.ok(['get', 'all', '-A']), /service\/kubernetes/);
  });
});

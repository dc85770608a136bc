import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { CriClient, criProtoPath, IMAGE_RPCS, loadCriPackage, RUNTIME_RPCS, unixTarget } from './client.ts';

function root(): protobuf.Root {
  return new protobuf.Root().loadSync(criProtoPath(), { keepCase: true });
}

function fieldId(r: protobuf.Root, type: string, field: string): number {
  const t = r.lookupType(`runtime.v1.${type}`);
  const f = t.fields[field];
  assert.ok(f, `${type}.${field} missing`);
  return f.id;
}

test('api.proto carries the upstream CRI field numbers', () => {
  const r = root();
  // Spot checks against kubernetes/cri-api pkg/apis/runtime/v1/api.proto.
  const expect: [string, string, number][] = [
    ['PodSandboxConfig', 'log_directory', 3],
    ['PodSandboxConfig', 'linux', 8],
    ['LinuxPodSandboxConfig', 'cgroup_parent', 1],
    ['LinuxSandboxSecurityContext', 'run_as_group', 8],
    ['LinuxSandboxSecurityContext', 'seccomp', 9],
    ['ContainerConfig', 'labels', 9],
    ['ContainerConfig', 'log_path', 11],
    ['ContainerConfig', 'linux', 15],
    ['LinuxContainerSecurityContext', 'run_as_group', 12],
    ['LinuxContainerSecurityContext', 'readonly_rootfs', 7],
    ['LinuxContainerSecurityContext', 'no_new_privs', 11],
    ['LinuxContainerSecurityContext', 'seccomp', 15],
    ['LinuxContainerResources', 'memory_swap_limit_in_bytes', 10],
    ['LinuxContainerResources', 'unified', 9],
    ['Mount', 'propagation', 5],
    ['NamespaceOption', 'target_id', 4],
    ['ContainerStatus', 'log_path', 15],
    ['ContainerStatus', 'image_id', 17],
    ['PodSandboxStatusResponse', 'containers_statuses', 3],
    ['ImageSpec', 'user_specified_image', 18],
    ['ExecSyncRequest', 'timeout', 3],
    ['ExecRequest', 'stdin', 4],
    ['AttachRequest', 'tty', 3],
    ['PortForwardRequest', 'port', 2],
    ['ContainerStats', 'writable_layer', 4],
    ['MemoryUsage', 'working_set_bytes', 2],
    ['LinuxPodSandboxStats', 'containers', 5],
    ['UpdateContainerResourcesRequest', 'annotations', 4],
    ['ImageFsInfoResponse', 'container_filesystems', 2],
    ['StatusResponse', 'runtime_handlers', 3],
  ];
  for (const [type, field, id] of expect) assert.equal(fieldId(r, type, field), id, `${type}.${field}`);
  const ns = r.lookupEnum('runtime.v1.NamespaceMode').values;
  assert.deepEqual(ns, { POD: 0, CONTAINER: 1, NODE: 2, TARGET: 3 });
  const cs = r.lookupEnum('runtime.v1.ContainerState').values;
  assert.equal(cs.CONTAINER_EXITED, 2);
});

test('every contract RPC exists with its upstream request type', () => {
  const r = root();
  const runtime = r.lookupService('runtime.v1.RuntimeService');
  const image = r.lookupService('runtime.v1.ImageService');
  for (const rpc of RUNTIME_RPCS) assert.ok(runtime.methods[rpc], rpc);
  for (const rpc of IMAGE_RPCS) assert.ok(image.methods[rpc], rpc);
  assert.equal(runtime.methods.ListPodSandbox!.requestType, 'ListPodSandboxRequest');
  assert.equal(runtime.methods.Exec!.responseType, 'ExecResponse');
});

test('unixTarget accepts paths and unix URLs, rejects the rest', () => {
  assert.equal(unixTarget('/run/c.sock'), 'unix:///run/c.sock');
  assert.equal(unixTarget('unix:///run/c.sock'), 'unix:///run/c.sock');
  assert.equal(unixTarget('unix:/run/c.sock'), 'unix:///run/c.sock');
  assert.throws(() => unixTarget('tcp://1.2.3.4:5'), /absolute unix socket/);
  assert.throws(() => unixTarget('relative.sock'), /absolute unix socket/);
});

test('CriClient talks to a CRI server over a unix socket with proto-loader plain objects', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sk-cri-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sock = join(dir, 'cri.sock');
  const pkg = loadCriPackage();
  const server = new grpc.Server();
  const seen: unknown[] = [];
  const runtimeService = (pkg.RuntimeService as grpc.ServiceClientConstructor).service;
  const imageService = (pkg.ImageService as grpc.ServiceClientConstructor).service;
  server.addService(runtimeService, {
    Version: (_c: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1', runtimeApiVersion: 'v1' }),
    ListContainers: (
      call: grpc.ServerUnaryCall<{ filter: unknown }, unknown>,
      cb: grpc.sendUnaryData<unknown>,
    ) => {
      seen.push(call.request.filter);
      cb(null, {
        containers: [
          { id: 'c1', podSandboxId: 'p1', state: 'CONTAINER_RUNNING', createdAt: 1_700_000_000_000_000_000 },
        ],
      });
    },
    ExecSync: (_c: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, { stdout: Buffer.from('hi\n'), stderr: Buffer.alloc(0), exitCode: 3 }),
    StopContainer: (_c: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb({ code: grpc.status.NOT_FOUND, details: 'container "x" not found' }),
  });
  server.addService(imageService, {
    ImageStatus: (
      call: grpc.ServerUnaryCall<{ image: { image: string } }, unknown>,
      cb: grpc.sendUnaryData<unknown>,
    ) => cb(null, { image: { id: 'sha256:abc', repoTags: [call.request.image.image], size: 42 } }),
  });
  await new Promise<void>((res, rej) =>
    server.bindAsync(`unix://${sock}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? rej(e) : res())),
  );
  t.after(() => server.forceShutdown());

  const cri = await CriClient.connect(`unix://${sock}`);
  t.after(() => cri.close());
  const v = await cri.runtime.version({ version: 'v1' });
  assert.equal(v.runtimeName, 'fake');
  const list = await cri.runtime.listContainers({
    filter: { podSandboxId: 'p1', state: { state: 'CONTAINER_RUNNING' } },
  });
  assert.equal(list.containers[0].state, 'CONTAINER_RUNNING');
  assert.equal(list.containers[0].createdAt, 1_700_000_000_000_000_000);
  assert.equal(typeof list.containers[0].createdAt, 'number');
  assert.deepEqual(list.containers[0].labels, {});
  assert.deepEqual(seen[0], {
    id: '',
    podSandboxId: 'p1',
    state: { state: 'CONTAINER_RUNNING' },
    labelSelector: {},
  });
  const ex = await cri.runtime.execSync({ containerId: 'c1', cmd: ['echo', 'hi'], timeout: 5 });
  assert.ok(Buffer.isBuffer(ex.stdout));
  assert.equal(ex.stdout.toString(), 'hi\n');
  assert.equal(ex.exitCode, 3);
  const img = await cri.image.imageStatus({ image: { image: 'docker.io/library/busybox:latest' } });
  assert.deepEqual(img.image.repoTags, ['docker.io/library/busybox:latest']);
  assert.equal(img.image.size, 42);
  await assert.rejects(
    cri.runtime.stopContainer({ containerId: 'x', timeout: 1 }),
    (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.NOT_FOUND);
      assert.equal(e.details, 'container "x" not found');
      return true;
    },
  );
  // An unimplemented RPC is a ServiceError too, not a crash.
  await assert.rejects(
    cri.runtime.status({}),
    (e: grpc.ServiceError) => e.code === grpc.status.UNIMPLEMENTED,
  );
});

test('connect fails clearly when nothing listens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sk-cri-'));
  try {
    await assert.rejects(
      CriClient.connect(join(dir, 'none.sock'), { waitMs: 300 }),
      /did not accept a connection/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

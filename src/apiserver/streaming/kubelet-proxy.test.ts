import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeletLocation } from './kubelet-proxy.ts';

describe('kubeletLocation', () => {
  it('takes the InternalIP and the kubelet endpoint port', () => {
    const node = {
      status: {
        addresses: [
          { type: 'Hostname', address: 'n1' },
          { type: 'ExternalIP', address: '203.0.113.5' },
          { type: 'InternalIP', address: '10.0.0.7' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    };
    assert.deepEqual(kubeletLocation(node, 'n1'), { host: '10.0.0.7', port: 10250 });
  });

  it('falls back to other addresses, then the node name', () => {
    const port = { daemonEndpoints: { kubeletEndpoint: { Port: 1 } } };
    assert.equal(
      kubeletLocation({ status: { ...port, addresses: [{ type: 'ExternalIP', address: 'e' }] } }, 'n')?.host,
      'e',
    );
    assert.equal(
      kubeletLocation({ status: { ...port, addresses: [{ type: 'Hostname', address: 'h' }] } }, 'n')?.host,
      'h',
    );
    assert.equal(kubeletLocation({ status: port }, 'n')?.host, 'n');
  });

  it('is undefined until the agent publishes its port', () => {
    assert.equal(
      kubeletLocation({ status: { addresses: [{ type: 'InternalIP', address: '10.0.0.7' }] } }, 'n'),
      undefined,
    );
    assert.equal(
      kubeletLocation({ status: { daemonEndpoints: { kubeletEndpoint: { Port: 0 } } } }, 'n'),
      undefined,
    );
    assert.equal(kubeletLocation({}, 'n'), undefined);
  });
});

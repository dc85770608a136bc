import assert from 'node:assert/strict';
import { test } from 'node:test';
import { volumeObjectKeys } from './volume-objects.ts';

test('volumeObjectKeys names the configMaps and secrets of volumes and projections, once each', () => {
  const keys = volumeObjectKeys({
    metadata: { namespace: 'ns1', name: 'p' },
    spec: {
      containers: [],
      volumes: [
        { name: 'a', configMap: { name: 'cm1' } },
        { name: 'b', secret: { secretName: 's1' } },
        {
          name: 'c',
          projected: {
            sources: [{ configMap: { name: 'cm1' } }, { secret: { name: 's2' } }, { downwardAPI: {} }],
          },
        },
        { name: 'd', emptyDir: {} },
      ],
    },
  });
  assert.deepEqual(keys.sort(), ['cm/ns1/cm1', 'secret/ns1/s1', 'secret/ns1/s2']);
  assert.deepEqual(volumeObjectKeys({ spec: { containers: [] } }), []);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityFromCertificate } from './identity.ts';

test('CN is the user and O entries are the groups', () => {
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'system:admin', O: 'system:masters' } }), {
    user: 'system:admin',
    groups: ['system:masters'],
  });
  assert.deepEqual(
    identityFromCertificate({ subject: { CN: 'system:node:n1', O: ['system:nodes', 'extra'] } }),
    {
      user: 'system:node:n1',
      groups: ['system:nodes', 'extra'],
    },
  );
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'alice' } }), { user: 'alice', groups: [] });
});

test('no certificate, no CN or several CNs give no identity', () => {
  assert.equal(identityFromCertificate({}), undefined);
  assert.equal(identityFromCertificate({ subject: { O: 'system:masters' } }), undefined);
  assert.equal(identityFromCertificate({ subject: { CN: '' } }), undefined);
  assert.equal(identityFromCertificate({ subject: { CN: ['a', 'b'] } }), undefined);
  assert.deepEqual(identityFromCertificate({ subject: { CN: ['a', 'a'] } }), { user: 'a', groups: [] });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldSet } from './fieldset.ts';
import { fieldsV1Json, fromFieldsV1, toFieldsV1 } from './fieldsv1.ts';
import { keyElement, pathString, serializePE } from './path.ts';

// Golden data from structured-merge-diff's fieldpath/serialize_test.go (TestSerializeV1GoldenData).
const golden = [
  `{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\\"name\\":\\"first\\"}":{},"k:{\\"name\\":\\"second\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\\"aa\\"":{},"v:\\"ab\\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}`,
  `{"f:aaa":{"k:{\\"name\\":\\"second\\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}}},"k:{\\"name\\":\\"first\\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\\"name\\":\\"second\\"}":{}}},"f:aad":{"f:aac":{"v:1":{}},"f:aaf":{"k:{\\"name\\":\\"first\\"}":{"k:{\\"name\\":\\"first\\"}":{}}},"i:1":{"i:1":{},"i:3":{"v:true":{}}}},"f:aae":{"f:aae":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{}},"i:4":{"f:aaf":{}}},"f:aaf":{"i:1":{"f:aac":{}},"i:2":{},"i:3":{}},"k:{\\"name\\":\\"first\\"}":{"f:aad":{"f:aaf":{}}},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"f:aaa":{"f:aad":{}}},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"f:aac":{},"k:{\\"name\\":\\"first\\"}":{"i:3":{}},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"i:4":{}}},"v:1":{"f:aac":{"i:4":{}},"f:aaf":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}},"v:2":{"f:aad":{"f:aaf":{}},"i:1":{}},"v:3":{"f:aaa":{},"k:{\\"name\\":\\"first\\"}":{},"i:2":{}},"v:\\"aa\\"":{"f:aab":{"f:aaf":{}},"f:aae":{},"k:{\\"name\\":\\"first\\"}":{"f:aad":{}},"i:2":{}},"v:\\"ab\\"":{"f:aaf":{"i:4":{}},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{}},"i:1":{"f:aae":{"i:4":{}}}},"v:true":{"k:{\\"name\\":\\"second\\"}":{"f:aaa":{}},"i:2":{"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}}},"i:1":{"i:3":{"f:aaf":{}}},"i:2":{"f:aae":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"v:1":{}}},"i:3":{"f:aab":{"v:true":{"v:\\"aa\\"":{}}},"f:aaf":{},"i:1":{}},"i:4":{"v:\\"aa\\"":{"f:aab":{"k:{\\"name\\":\\"second\\"}":{}}}}}`,
  `{"f:spec":{".":{},"f:apps":{".":{},"k:{\\"name\\":\\" app-💻\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"name\\":\\"port 🔑\\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}},"k:{\\"name\\":\\" app-🚀\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"name\\":\\"port-✅ \\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}}}}}`,
  // A Deployment created by `kubectl create` (abridged), as the API server returns it.
  `{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{}}},"f:securityContext":{}}}}}`,
];

describe('FieldsV1', () => {
  for (const [i, text] of golden.entries()) {
    it(`round-trips upstream-encoded example ${i}`, () => {
      const set = fromFieldsV1(text);
      assert.equal(fieldsV1Json(set), text);
      assert.ok(fromFieldsV1(toFieldsV1(set)).equals(set));
    });
  }

  it('encodes the brief example with "." only where the element is also a member', () => {
    const c = keyElement([['name', 'c']]);
    const set = FieldSet.of(
      [{ field: 'metadata' }, { field: 'labels' }, { field: 'app' }],
      [{ field: 'spec' }, { field: 'containers' }, c],
      [{ field: 'spec' }, { field: 'containers' }, c, { field: 'image' }],
    );
    assert.equal(
      fieldsV1Json(set),
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{".":{},"f:image":{}}}}}',
    );
  });

  it('normalizes key order, key-field order and whitespace as upstream reads them', () => {
    const set = fromFieldsV1({
      'v:2': {},
      'i:1': {},
      'k:{ "protocol":"udp","port":443}': {},
      'f:b': {},
      'v:"a"': {},
      'f:a': {},
      'x:future': {},
    });
    assert.equal(
      fieldsV1Json(set),
      '{"f:a":{},"f:b":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:2":{},"v:\\"a\\"":{},"i:1":{}}',
    );
  });

  it('escapes values in keys as Go does and prints paths as SMD does', () => {
    const pe = keyElement([['name', 'a<b>&"c']]);
    assert.equal(serializePE(pe), 'k:{"name":"a\\u003cb\\u003e\\u0026\\"c"}');
    assert.equal(fromFieldsV1(toFieldsV1(FieldSet.of([pe]))).has([pe]), true);
    const port = keyElement([
      ['protocol', 'TCP'],
      ['containerPort', 80],
    ]);
    assert.equal(
      pathString([{ field: 'spec' }, { field: 'ports' }, port]),
      '.spec.ports[containerPort=80,protocol="TCP"]',
    );
    assert.equal(pathString([{ field: 'finalizers' }, { value: 'x' }]), '.finalizers[="x"]');
  });

  it('rejects malformed input', () => {
    assert.throws(() => fromFieldsV1('{"f:a":[]}'));
    assert.throws(() => fromFieldsV1('{"k:{":{}}'));
    assert.equal(fieldsV1Json(fromFieldsV1('{}')), '{}');
  });
});

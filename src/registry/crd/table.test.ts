import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, parse } from './jsonpath.ts';
import { customResourceTable } from './table.ts';

const obj = {
  apiVersion: 'x/v1',
  kind: 'X',
  metadata: {
    name: 'a',
    creationTimestamp: '2024-01-01T00:00:00Z',
    labels: { 'app.kubernetes.io/name': 'web', tier: 'db' },
  },
  spec: {
    items: [
      { name: 'first', port: 80 },
      { name: 'second', port: 81 },
    ],
    ratio: 0.5,
    on: true,
    nested: { b: 1, a: [1, 'x'] },
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Synced', status: 'False' },
    ],
    lastSeen: '2024-01-01T00:01:00Z',
  },
};

const at = (path: string) => evaluate(obj, parse(path));

test('the JSONPath forms printer columns use', () => {
  assert.deepEqual(at('.metadata.name'), ['a']);
  assert.deepEqual(at('{.spec.items[1].name}'), ['second']);
  assert.deepEqual(at('.spec.items[-1].port'), [81]);
  assert.deepEqual(at('.spec.items[*].name'), ['first', 'second']);
  assert.deepEqual(at(".metadata.labels['app.kubernetes.io/name']"), ['web']);
  assert.deepEqual(at('.metadata.labels.app\\.kubernetes\\.io/name'), ['web']);
  assert.deepEqual(at('.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(at(".status.conditions[?(@.type!='Ready')].type"), ['Synced']);
  assert.deepEqual(at('.spec.missing.deeper'), []);
  assert.throws(() => parse('.spec[unclosed'));
});

test('cells are typed by column; missing values are null', () => {
  const table = customResourceTable([
    { name: 'Name2', type: 'string', jsonPath: '.spec.items[0].name', priority: 1 },
    { name: 'Port', type: 'integer', jsonPath: '.spec.items[0].port' },
    { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
    { name: 'On', type: 'boolean', jsonPath: '.spec.on' },
    { name: 'Nested', type: 'string', jsonPath: '.spec.nested' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Seen', type: 'date', jsonPath: '.status.lastSeen' },
    { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
    { name: 'Wrong', type: 'integer', jsonPath: '.metadata.name' },
  ]);
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Name2', 'string', 1],
      ['Port', 'integer', 0],
      ['Ratio', 'number', 0],
      ['On', 'boolean', 0],
      ['Nested', 'string', 0],
      ['Ready', 'string', 0],
      ['Seen', 'date', 0],
      ['Missing', 'string', 0],
      ['Wrong', 'integer', 0],
    ],
  );
  assert.equal(
    table.columns[2]!.description,
    'Custom resource definition column (in JSONPath format): .spec.items[0].port',
  );
  assert.deepEqual(table.cells(obj, new Date('2024-01-01T00:03:00Z')), [
    'a',
    'first',
    80,
    0.5,
    true,
    '{"a":[1,"x"],"b":1}',
    'True',
    '2m',
    null,
    null,
  ]);
});

test('without printer columns: Name and Age (a date)', () => {
  const table = customResourceTable(undefined);
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.type, c.format]),
    [
      ['Name', 'string', 'name'],
      ['Age', 'date', ''],
    ],
  );
  assert.deepEqual(table.cells(obj, new Date('2024-01-01T00:00:30Z')), ['a', '30s']);
  assert.deepEqual(
    customResourceTable([]).cells({ metadata: { name: 'b', creationTimestamp: 'garbage' } }, new Date()),
    ['b', '<invalid>'],
  );
});

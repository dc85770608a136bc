import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat, dnat, goto, jump, match, payload } from './expr.ts';
import { diffCommands, fullCommands, Ruleset } from './ruleset.ts';
import type { Command } from './types.ts';

function sample(endpoint: string, withExtra = true): Ruleset {
  const rs = new Ruleset('ip', 't');
  rs.chain('pre', { type: 'nat', hook: 'prerouting', prio: -100 });
  rs.rule('pre', [match(payload('ip', 'daddr'), '==', '@ips'), jump('svc')]);
  rs.set('ips', {
    type: ['ipv4_addr', 'inet_proto', 'inet_service'],
    map: 'verdict',
    elements: [[concat('10.43.0.1', 'tcp', 80), goto('svc')]],
  });
  rs.rule('svc', [dnat(endpoint, 8080)]);
  if (withExtra) {
    rs.rule('extra', [dnat('10.42.0.99', 80)]);
    rs.sets.get('ips')!.elements.push([concat('10.43.0.2', 'tcp', 80), goto('extra')]);
  }
  return rs;
}
const verbs = (cmds: Command[]) =>
  cmds.map((c) => {
    const verb = Object.keys(c)[0]!;
    const obj = (c as Record<string, Record<string, { name?: string; chain?: string }>>)[verb]!;
    const kind = Object.keys(obj)[0]!;
    return `${verb} ${kind} ${obj[kind]!.name ?? obj[kind]!.chain ?? ''}`.trim();
  });

describe('Ruleset', () => {
  it('replaces the whole table: chains and sets before the rules and elements naming them', () => {
    assert.deepEqual(verbs(fullCommands(sample('10.42.0.1'))), [
      'add table t',
      'delete table t',
      'add table t',
      'add chain pre',
      'add chain svc',
      'add chain extra',
      'add map ips',
      'add element ips',
      'add rule pre',
      'add rule svc',
      'add rule extra',
    ]);
  });

  it('diffs to only the changed chain when an endpoint moves', () => {
    const cmds = diffCommands(sample('10.42.0.1'), sample('10.42.0.2'))!;
    assert.deepEqual(verbs(cmds), ['flush chain svc', 'add rule svc']);
    assert.deepEqual(diffCommands(sample('10.42.0.1'), sample('10.42.0.1')), []);
  });

  it('removes elements before flushing and deleting the chains they name', () => {
    const cmds = diffCommands(sample('10.42.0.1'), sample('10.42.0.1', false))!;
    assert.deepEqual(verbs(cmds), ['delete element ips', 'flush chain extra', 'delete chain extra']);
    const back = diffCommands(sample('10.42.0.1', false), sample('10.42.0.1'))!;
    assert.deepEqual(verbs(back), ['add chain extra', 'add rule extra', 'add element ips']);
  });

  it('replaces a changed map value as delete + add of the element', () => {
    const a = sample('10.42.0.1');
    const b = sample('10.42.0.1');
    b.sets.get('ips')!.elements[0] = [concat('10.43.0.1', 'tcp', 80), goto('extra')];
    assert.deepEqual(verbs(diffCommands(a, b)!), ['delete element ips', 'add element ips']);
  });

  it('asks for a full replace when a base chain or a set type changes', () => {
    const b = sample('10.42.0.1');
    b.chains.get('pre')!.base!.prio = -99;
    assert.equal(diffCommands(sample('10.42.0.1'), b), null);
    const c = sample('10.42.0.1');
    c.sets.get('ips')!.type = 'ipv4_addr';
    assert.equal(diffCommands(sample('10.42.0.1'), c), null);
  });
});

/**
 * A network namespace joined to the host by a veth pair, for a second node on one machine:
 * `<host end> hostIp/24` in the host, `<ns end> nsIp/24` inside, `lo` up. `remove()` deletes the
 * namespace (which takes both veth ends with it) and never throws.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Netns {
  readonly name: string;
  readonly hostIp: string;
  readonly nsIp: string;
  readonly hostIf: string;
  remove(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 });
}

/** `tag` (≤ 8 chars) names the namespace and interfaces; subnet is the /24's first three octets. */
export async function createNetns(tag: string, subnet: string): Promise<Netns> {
  const name = `sk-${tag}`;
  const hostIf = `${tag}h`;
  const nsIf = `${tag}n`;
  const hostIp = `${subnet}.1`;
  const nsIp = `${subnet}.2`;
  const remove = async () => {
    await ip('netns', 'del', name).catch(() => {});
    await ip('link', 'del', hostIf).catch(() => {});
  };
  await remove();
  try {
    await ip('netns', 'add', name);
    await ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    await ip('link', 'set', nsIf, 'netns', name);
    await ip('addr', 'add', `${hostIp}/24`, 'dev', hostIf);
    await ip('link', 'set', hostIf, 'up');
    await ip('-n', name, 'addr', 'add', `${nsIp}/24`, 'dev', nsIf);
    await ip('-n', name, 'link', 'set', nsIf, 'up');
    await ip('-n', name, 'link', 'set', 'lo', 'up');
  } catch (e) {
    await remove();
    throw e;
  }
  return { name, hostIp, nsIp, hostIf, remove };
}

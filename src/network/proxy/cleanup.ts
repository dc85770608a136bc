/** `skiff agent --cleanup` and uninstall: remove the proxy's tables, whether or not they exist. */
import { apply, type Command, deleteTableCommands, type NftOptions } from '../nftables/index.ts';
import { defaultTable } from './rules.ts';
import type { IpFamily } from './service-ports.ts';

export interface RemoveTablesOptions extends NftOptions {
  table?: string;
  families?: IpFamily[];
}

export async function removeTables(opts: RemoveTablesOptions = {}): Promise<void> {
  const { table = defaultTable, families = ['ip', 'ip6'], ...nft } = opts;
  const commands: Command[] = families.flatMap((f) => deleteTableCommands(f, table));
  await apply(commands, nft);
}

/** `skiff agent --cleanup` and uninstall: remove the policy tables, whether or not they exist. */
import { apply, type Command, deleteTableCommands, type NftOptions } from '../nftables/index.ts';
import { defaultPolicyTable, type IpFamily } from './rules.ts';

export async function removePolicyTables(
  opts: NftOptions & { table?: string; families?: IpFamily[] } = {},
): Promise<void> {
  const { table = defaultPolicyTable, families = ['ip', 'ip6'], ...nft } = opts;
  const commands: Command[] = families.flatMap((f) => deleteTableCommands(f, table));
  await apply(commands, nft);
}

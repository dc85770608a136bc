import { Command, Flags } from '@oclif/core';
import { parseLabels, parseTaints } from '../../sim/options.ts';
import { startSim } from '../../sim/sim.ts';
import { processLogger, untilSignal } from '../log.ts';

export default class Sim extends Command {
  static override summary = 'Run simulated nodes (no containers) against a cluster, for tests and benchmarks';

  static override description = [
    'Registers N nodes that heartbeat through Leases and report the pods bound to them Running and',
    'Ready after --ready-after. Pod annotations: sim.skiff.io/exit-after ("3s") with',
    'sim.skiff.io/exit-code ("0", "1") make the containers exit; sim.skiff.io/never-ready: "true"',
    'keeps them unready. A node annotated sim.skiff.io/silent: "true" (or silenced through the',
    'control endpoint: POST /nodes/<name>/silent or /resume) stops renewing its Lease and posting',
    'status. On SIGINT/SIGTERM the nodes stay registered.',
  ].join(' ');

  static override flags = {
    kubeconfig: Flags.string({ summary: 'Kubeconfig of the cluster to join', required: true }),
    nodes: Flags.integer({ summary: 'How many nodes to simulate', default: 1, min: 1 }),
    'name-prefix': Flags.string({ summary: 'Node names are <prefix><index>', default: 'sim-' }),
    cpu: Flags.string({ summary: 'CPU capacity of each node', default: '4' }),
    memory: Flags.string({ summary: 'Memory capacity of each node', default: '8Gi' }),
    pods: Flags.integer({ summary: 'Pod capacity of each node', default: 110, min: 1 }),
    labels: Flags.string({ summary: 'Extra node labels: key=value,...' }),
    taints: Flags.string({ summary: 'Node taints: key=value:Effect,...' }),
    'ready-after': Flags.integer({
      summary: 'Milliseconds from seeing a pod to reporting it Running and Ready',
      default: 500,
      min: 0,
    }),
    heartbeat: Flags.integer({ summary: 'Seconds between Lease renewals', default: 10, min: 1 }),
    'control-port': Flags.integer({
      summary: 'Port of a loopback HTTP endpoint to silence/resume nodes (0 picks one)',
      min: 0,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Sim);
    const log = processLogger('sim');
    let labels: Record<string, string>;
    let taints: ReturnType<typeof parseTaints>;
    try {
      labels = parseLabels(flags.labels);
      taints = parseTaints(flags.taints);
    } catch (e) {
      this.error((e as Error).message, { exit: 2 });
    }
    const stopRequested = untilSignal();
    const sim = await startSim(
      {
        kubeconfig: flags.kubeconfig,
        nodes: flags.nodes,
        namePrefix: flags['name-prefix'],
        cpu: flags.cpu,
        memory: flags.memory,
        pods: flags.pods,
        labels,
        taints,
        readyAfterMs: flags['ready-after'],
        heartbeatMs: flags.heartbeat * 1000,
        ...(flags['control-port'] === undefined ? {} : { controlPort: flags['control-port'] }),
      },
      log,
    );
    const signal = await stopRequested;
    log.info({ signal }, 'stopping');
    await sim.stop();
  }
}

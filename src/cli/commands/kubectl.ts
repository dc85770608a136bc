import { spawn } from 'node:child_process';
import { Command } from '@oclif/core';
import { defaultKubeconfig } from '../../server/config.ts';

export default class Kubectl extends Command {
  static override summary = "Run the machine's kubectl against this skiff server";
  static override description =
    'Arguments go to kubectl as they are; KUBECONFIG defaults to the admin kubeconfig skiff wrote.';
  static override strict = false;

  async run(): Promise<void> {
    const env = { ...process.env, KUBECONFIG: process.env.KUBECONFIG ?? defaultKubeconfig() };
    const child = spawn('kubectl', this.argv, { stdio: 'inherit', env });
    const code = await new Promise<number>((resolve) => {
      child.on('error', (e) => {
        this.logToStderr(`kubectl: ${e.message}`);
        resolve(127);
      });
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    this.exit(code);
  }
}

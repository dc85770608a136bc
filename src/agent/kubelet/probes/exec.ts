/** exec probe: the command exits 0 within the timeout (CRI ExecSync through the injected exec). */
import { type ExecInContainer, failure, type ProbeResult, success, unknown } from './types.ts';

/** Extra time the caller's own timer allows over ExecSync's timeout before giving up on the runtime. */
const graceMs = 2000;

/** Whether an ExecSync rejection means the command ran out of time (containerd 1.6 words it so). */
export function isExecTimeout(e: unknown): boolean {
  const err = e as { code?: number; details?: string; message?: string } | undefined;
  if (err?.code === 4) return true; // grpc DEADLINE_EXCEEDED
  const text = `${err?.details ?? ''} ${err?.message ?? ''}`;
  return /timeout \S+ exceeded|deadline exceeded|timed out/i.test(text);
}

export class ExecTimeout extends Error {}

/** Runs exec, also timing it out here when the runtime does not answer in time. */
export async function execWithTimeout(
  exec: ExecInContainer,
  containerId: string,
  cmd: string[],
  timeoutSeconds: number,
): Promise<{ exitCode: number; output: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExecTimeout('timed out')), timeoutSeconds * 1000 + graceMs);
  });
  try {
    const r = await Promise.race([exec(containerId, cmd, timeoutSeconds), late]);
    return { exitCode: r.exitCode, output: Buffer.concat([r.stdout, r.stderr]).toString('utf8') };
  } finally {
    clearTimeout(timer);
  }
}

export async function probeExec(
  exec: ExecInContainer,
  containerId: string,
  cmd: string[] | undefined,
  timeoutSeconds: number,
): Promise<ProbeResult> {
  if (!cmd?.length) return unknown('exec probe has no command');
  try {
    const r = await execWithTimeout(exec, containerId, cmd, timeoutSeconds);
    return r.exitCode === 0 ? success(r.output) : failure(r.output);
  } catch (e) {
    if (e instanceof ExecTimeout || isExecTimeout(e)) {
      return failure(`command ${JSON.stringify(cmd.join(' '))} timed out`);
    }
    const err = e as { details?: string; message?: string };
    return unknown(err.details || err.message || String(e));
  }
}

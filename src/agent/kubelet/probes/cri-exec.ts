/** ExecInContainer over CRI ExecSync (timeouts in seconds, as CRI counts them). */
import type { ExecInContainer } from './types.ts';

// biome-ignore lint/suspicious/noExplicitAny: CRI messages are plain objects from proto-loader.
type ExecSync = (req: Record<string, any>, opts?: { timeoutMs?: number }) => Promise<any>;

/** Extra time the gRPC deadline allows beyond the exec timeout, so the runtime reports it first. */
const deadlineSlackMs = 5000;

export function criExec(cri: { runtime: { execSync: ExecSync } }): ExecInContainer {
  return async (containerId, cmd, timeoutSeconds) => {
    const r = await cri.runtime.execSync(
      { containerId, cmd, timeout: timeoutSeconds },
      { timeoutMs: timeoutSeconds * 1000 + deadlineSlackMs },
    );
    return {
      exitCode: Number(r.exitCode ?? 0),
      stdout: Buffer.isBuffer(r.stdout) ? r.stdout : Buffer.from(r.stdout ?? ''),
      stderr: Buffer.isBuffer(r.stderr) ? r.stderr : Buffer.from(r.stderr ?? ''),
    };
  };
}

import type { ServerResponse } from 'node:http';
import { notFound, replyError, StreamingError } from './http-status.ts';
import { LogOptionsError, parseLogOptions } from './log-options.ts';
import { streamCriLog } from './log-reader.ts';
import type { StreamingRuntime } from './types.ts';

/**
 * GET /containerLogs/{namespace}/{pod}/{container}: the container's CRI log file, rendered as
 * kubectl logs shows it, streamed (chunked, headers flushed at once for follow).
 */
export async function serveContainerLogs(
  runtime: StreamingRuntime,
  res: ServerResponse,
  params: { namespace: string; pod: string; container: string },
  query: URLSearchParams,
): Promise<void> {
  try {
    let options: ReturnType<typeof parseLogOptions>;
    try {
      options = parseLogOptions(query);
    } catch (err) {
      if (err instanceof LogOptionsError) throw new StreamingError(400, 'BadRequest', err.message);
      throw err;
    }
    const ref = await runtime.findContainer(params.namespace, params.pod, params.container, {
      previous: options.previous,
    });
    if (!ref) {
      throw options.previous
        ? badRequestPrevious(params)
        : notFound(`container "${params.container}" in pod "${params.pod}" is not available`);
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    await streamCriLog(
      ref.logPath,
      { ...options, follow: options.follow && !options.previous },
      {
        write: (chunk) =>
          new Promise<void>((resolve) => {
            if (res.destroyed) return resolve();
            if (res.write(chunk)) resolve();
            else res.once('drain', resolve).once('close', resolve);
          }),
      },
      {
        signal: abort.signal,
        isRunning: async () => {
          const status = await runtime.cri.runtime
            .containerStatus({ containerId: ref.containerId })
            .catch(() => undefined);
          return status?.status?.state === 'CONTAINER_RUNNING';
        },
      },
    );
    res.end();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      replyError(
        res,
        notFound(`log file for container "${params.container}" of pod "${params.pod}" is missing`),
      );
      return;
    }
    replyError(res, err);
  }
}

function badRequestPrevious(p: { pod: string; container: string }): StreamingError {
  return new StreamingError(
    400,
    'BadRequest',
    `previous terminated container "${p.container}" in pod "${p.pod}" not found`,
  );
}

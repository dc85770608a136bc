import pino from 'pino';

/** The process logger: JSON lines on stderr, level from SKIFF_LOG_LEVEL (default info). */
export function processLogger(name: string): pino.Logger {
  return pino({ name, level: process.env.SKIFF_LOG_LEVEL ?? 'info' }, pino.destination(2));
}

/**
 * Resolves when the process is asked to stop (SIGINT or SIGTERM), keeping the process alive
 * until then even when nothing else holds the event loop open.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => {}, 2 ** 30);
    const on = (s: NodeJS.Signals) => {
      clearInterval(keepAlive);
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

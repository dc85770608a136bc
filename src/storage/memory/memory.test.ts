import { conformance } from '../conformance.suite.ts';
import { openBackend } from '../index.ts';

conformance('memory', async (options) => {
  const backend = openBackend('memory:', { compactIntervalMs: 0, ...options });
  return { backend, cleanup: () => backend.close() };
});

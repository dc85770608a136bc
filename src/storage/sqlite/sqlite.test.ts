import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { conformance, type Harness } from '../conformance.suite.ts';
import { openBackend } from '../index.ts';

conformance('sqlite', async (options) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-sqlite-'));
  const file = path.join(dir, 'state.db');
  const opts = { compactIntervalMs: 0, ...options };
  const h: Harness = {
    backend: openBackend(`sqlite:${file}`, opts),
    reopen: async () => {
      await h.backend.close();
      h.backend = openBackend(`sqlite:${file}`, opts);
      return h.backend;
    },
    cleanup: async () => {
      await h.backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
});

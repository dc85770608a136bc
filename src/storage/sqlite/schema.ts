/**
 * Current state in `kv` (one row per live key), the bounded change log in `log` (one row per
 * revision, with the previous value so older revisions can be read back), and the revision
 * counters in `meta`. All three are written in the same transaction.
 */
export const schemaVersion = 1;

export const schema = `
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  create_rev INTEGER NOT NULL,
  mod_rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  create_rev INTEGER NOT NULL,
  prev_value TEXT,
  prev_create_rev INTEGER,
  prev_mod_rev INTEGER
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 1), ('compact_revision', 0);
`;

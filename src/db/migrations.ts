export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * During a blue/green deploy the previous release keeps serving on the migrated database for a while. A migration
   * it cannot live with (a dropped or renamed column it reads, a new NOT NULL column without a default it would
   * not fill) says `false` here, and `ahb deploy` stops the old container before the new one migrates.
   */
  compatibleWithPrevious?: false;
}

/** Numbered, append-only: never edit a shipped migration, add the next number. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT 'Untitled session',
  created_at TEXT NOT NULL,
  last_active TEXT NOT NULL
);
CREATE INDEX sessions_owner_last_active ON sessions (owner, last_active DESC);
CREATE INDEX sessions_last_active ON sessions (last_active);

CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
  created_at TEXT NOT NULL
);
CREATE INDEX documents_session ON documents (session_id, created_at);
CREATE UNIQUE INDEX documents_one_active_per_session ON documents (session_id) WHERE is_active = 1;

CREATE TABLE document_versions (
  id INTEGER PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  version INTEGER NOT NULL CHECK (version >= 1),
  html TEXT NOT NULL,
  prompt TEXT,
  summary TEXT,
  model TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (document_id, version)
);
CREATE TRIGGER document_versions_append_only BEFORE UPDATE ON document_versions
BEGIN
  SELECT RAISE(ABORT, 'document_versions is append-only');
END;

CREATE TABLE chat_messages (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  document_id TEXT REFERENCES documents (id) ON DELETE SET NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
  content TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX chat_messages_session ON chat_messages (session_id, id);

-- No foreign key to sessions: the ledger outlives the sessions it billed.
CREATE TABLE cost_ledger (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  user TEXT NOT NULL,
  session_id TEXT,
  provider TEXT NOT NULL CHECK (provider IN ('anthropic', 'google')),
  model TEXT NOT NULL,
  request_id TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens INTEGER NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  cache_read_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0),
  cache_write_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
  thinking_tokens INTEGER NOT NULL DEFAULT 0 CHECK (thinking_tokens >= 0),
  images INTEGER NOT NULL DEFAULT 0 CHECK (images >= 0),
  cost_nano_usd INTEGER NOT NULL CHECK (cost_nano_usd >= 0),
  price_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cancelled'))
);
CREATE INDEX cost_ledger_created_at ON cost_ledger (created_at);
CREATE INDEX cost_ledger_user_created_at ON cost_ledger (user, created_at);
`,
  },
  {
    version: 2,
    name: "daily cost rollup",
    sql: `
-- Per-day rollup of the ledger kept by triggers, so cost reports read a few thousand rows instead of scanning
-- a million (bench/costs.md). Days are UTC dates; reports are day-aligned, so the rollup is exact.
CREATE TABLE cost_daily (
  day TEXT NOT NULL,
  user TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  requests INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  thinking_tokens INTEGER NOT NULL,
  images INTEGER NOT NULL,
  cost_nano_usd INTEGER NOT NULL,
  PRIMARY KEY (day, user, provider, model)
) WITHOUT ROWID;
CREATE INDEX cost_daily_user_day ON cost_daily (user, day);

INSERT INTO cost_daily (day, user, provider, model, requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, thinking_tokens, images, cost_nano_usd)
SELECT substr(created_at, 1, 10), user, provider, model, count(*), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(thinking_tokens), sum(images), sum(cost_nano_usd)
  FROM cost_ledger GROUP BY 1, 2, 3, 4;

CREATE TRIGGER cost_ledger_rollup_insert AFTER INSERT ON cost_ledger
BEGIN
  INSERT INTO cost_daily (day, user, provider, model, requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, thinking_tokens, images, cost_nano_usd)
  VALUES (substr(NEW.created_at, 1, 10), NEW.user, NEW.provider, NEW.model, 1, NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.thinking_tokens, NEW.images, NEW.cost_nano_usd)
  ON CONFLICT (day, user, provider, model) DO UPDATE SET requests = requests + 1,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    thinking_tokens = thinking_tokens + excluded.thinking_tokens,
    images = images + excluded.images,
    cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd;
END;
CREATE TRIGGER cost_ledger_rollup_update AFTER UPDATE ON cost_ledger
BEGIN
  UPDATE cost_daily SET requests = requests - 1,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
    cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
    thinking_tokens = thinking_tokens - OLD.thinking_tokens,
    images = images - OLD.images,
    cost_nano_usd = cost_nano_usd - OLD.cost_nano_usd
  WHERE day = substr(OLD.created_at, 1, 10) AND user = OLD.user AND provider = OLD.provider AND model = OLD.model;
  DELETE FROM cost_daily WHERE requests = 0;
  INSERT INTO cost_daily (day, user, provider, model, requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, thinking_tokens, images, cost_nano_usd)
  VALUES (substr(NEW.created_at, 1, 10), NEW.user, NEW.provider, NEW.model, 1, NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.thinking_tokens, NEW.images, NEW.cost_nano_usd)
  ON CONFLICT (day, user, provider, model) DO UPDATE SET requests = requests + 1,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    thinking_tokens = thinking_tokens + excluded.thinking_tokens,
    images = images + excluded.images,
    cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd;
END;
CREATE TRIGGER cost_ledger_rollup_delete AFTER DELETE ON cost_ledger
BEGIN
  UPDATE cost_daily SET requests = requests - 1,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
    cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
    thinking_tokens = thinking_tokens - OLD.thinking_tokens,
    images = images - OLD.images,
    cost_nano_usd = cost_nano_usd - OLD.cost_nano_usd
  WHERE day = substr(OLD.created_at, 1, 10) AND user = OLD.user AND provider = OLD.provider AND model = OLD.model;
  DELETE FROM cost_daily WHERE requests = 0;
END;
`,
  },
  {
    version: 3,
    name: "attachments, turn outcomes, retention and title sources",
    sql: `
-- Extracted upload text, owned by the session (deleted with it); a message links the ones it sent.
CREATE TABLE attachments (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  filename TEXT NOT NULL,
  type TEXT NOT NULL,
  chars INTEGER NOT NULL CHECK (chars >= 0),
  truncated INTEGER NOT NULL CHECK (truncated IN (0, 1)),
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX attachments_session ON attachments (session_id);
CREATE TABLE message_attachments (
  message_id INTEGER NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
  attachment_id TEXT NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (message_id, attachment_id)
) WITHOUT ROWID;
CREATE INDEX message_attachments_attachment ON message_attachments (attachment_id);

-- What the live page showed of a turn, so the history after a reload shows the same.
ALTER TABLE chat_messages ADD COLUMN status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'error'));
ALTER TABLE chat_messages ADD COLUMN error_code TEXT;
ALTER TABLE chat_messages ADD COLUMN cost_nano_usd INTEGER;
ALTER TABLE chat_messages ADD COLUMN version INTEGER;
ALTER TABLE chat_messages ADD COLUMN retry_of INTEGER;

ALTER TABLE sessions ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1));
-- Set while a turn runs and refreshed by its heartbeat; cleanup keeps a session whose turn is alive.
ALTER TABLE sessions ADD COLUMN turn_alive_at TEXT;
ALTER TABLE sessions ADD COLUMN title_source TEXT NOT NULL DEFAULT 'default'
  CHECK (title_source IN ('default', 'generated', 'user'));
ALTER TABLE documents ADD COLUMN title_source TEXT NOT NULL DEFAULT 'default'
  CHECK (title_source IN ('default', 'generated', 'user'));
UPDATE sessions SET title_source = 'user' WHERE title <> 'Untitled session';
UPDATE documents SET title_source = 'user' WHERE title NOT IN ('Untitled document', 'Untitled');
`,
  },
  {
    version: 4,
    name: "brand profiles",
    sql: `
-- Brand profiles (issue 18): admins keep them, any user picks one per session. Documents only hold the HTML a turn
-- produced with a profile, so deleting a profile changes no document; it only clears the sessions' choice.
CREATE TABLE brand_profiles (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  colors TEXT NOT NULL DEFAULT '[]',
  fonts TEXT NOT NULL DEFAULT '[]',
  voice TEXT NOT NULL DEFAULT '',
  logo_mime TEXT,
  logo_data BLOB,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((logo_mime IS NULL) = (logo_data IS NULL))
);
CREATE UNIQUE INDEX brand_profiles_name ON brand_profiles (name COLLATE NOCASE);

CREATE TABLE session_brands (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  brand_id TEXT NOT NULL REFERENCES brand_profiles (id) ON DELETE CASCADE
);
CREATE INDEX session_brands_brand ON session_brands (brand_id);
`,
  },
  {
    version: 5,
    name: "ledger rows for calls in flight",
    sql: `
-- A provider call's row is written before the call as 'pending' and finished in place when it ends, so a process
-- killed mid-call leaves a row; the next server start marks such rows 'interrupted'. Widening a CHECK needs a table
-- rebuild. The columns stay as they were, so the previous release keeps inserting and reading during blue/green.
CREATE TABLE cost_ledger_v5 (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  user TEXT NOT NULL,
  session_id TEXT,
  provider TEXT NOT NULL CHECK (provider IN ('anthropic', 'google')),
  model TEXT NOT NULL,
  request_id TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens INTEGER NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  cache_read_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0),
  cache_write_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
  thinking_tokens INTEGER NOT NULL DEFAULT 0 CHECK (thinking_tokens >= 0),
  images INTEGER NOT NULL DEFAULT 0 CHECK (images >= 0),
  cost_nano_usd INTEGER NOT NULL CHECK (cost_nano_usd >= 0),
  price_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cancelled', 'pending', 'interrupted'))
);
-- Copied before the rollup triggers exist again: cost_daily already counts these rows.
INSERT INTO cost_ledger_v5 SELECT * FROM cost_ledger;
DROP TABLE cost_ledger;
ALTER TABLE cost_ledger_v5 RENAME TO cost_ledger;
CREATE INDEX cost_ledger_created_at ON cost_ledger (created_at);
CREATE INDEX cost_ledger_user_created_at ON cost_ledger (user, created_at);
CREATE INDEX cost_ledger_pending ON cost_ledger (status) WHERE status = 'pending';
-- The rollup triggers of migration 2, unchanged (dropped with the old table).
CREATE TRIGGER cost_ledger_rollup_insert AFTER INSERT ON cost_ledger
BEGIN
  INSERT INTO cost_daily (day, user, provider, model, requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, thinking_tokens, images, cost_nano_usd)
  VALUES (substr(NEW.created_at, 1, 10), NEW.user, NEW.provider, NEW.model, 1, NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.thinking_tokens, NEW.images, NEW.cost_nano_usd)
  ON CONFLICT (day, user, provider, model) DO UPDATE SET requests = requests + 1,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    thinking_tokens = thinking_tokens + excluded.thinking_tokens,
    images = images + excluded.images,
    cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd;
END;
CREATE TRIGGER cost_ledger_rollup_update AFTER UPDATE ON cost_ledger
BEGIN
  UPDATE cost_daily SET requests = requests - 1,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
    cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
    thinking_tokens = thinking_tokens - OLD.thinking_tokens,
    images = images - OLD.images,
    cost_nano_usd = cost_nano_usd - OLD.cost_nano_usd
  WHERE day = substr(OLD.created_at, 1, 10) AND user = OLD.user AND provider = OLD.provider AND model = OLD.model;
  DELETE FROM cost_daily WHERE requests = 0;
  INSERT INTO cost_daily (day, user, provider, model, requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, thinking_tokens, images, cost_nano_usd)
  VALUES (substr(NEW.created_at, 1, 10), NEW.user, NEW.provider, NEW.model, 1, NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.thinking_tokens, NEW.images, NEW.cost_nano_usd)
  ON CONFLICT (day, user, provider, model) DO UPDATE SET requests = requests + 1,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    thinking_tokens = thinking_tokens + excluded.thinking_tokens,
    images = images + excluded.images,
    cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd;
END;
CREATE TRIGGER cost_ledger_rollup_delete AFTER DELETE ON cost_ledger
BEGIN
  UPDATE cost_daily SET requests = requests - 1,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
    cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
    thinking_tokens = thinking_tokens - OLD.thinking_tokens,
    images = images - OLD.images,
    cost_nano_usd = cost_nano_usd - OLD.cost_nano_usd
  WHERE day = substr(OLD.created_at, 1, 10) AND user = OLD.user AND provider = OLD.provider AND model = OLD.model;
  DELETE FROM cost_daily WHERE requests = 0;
END;
`,
  },
];

/** Of the versions a release applied, those the previous release cannot run on: flagged, or unknown to this ahb. */
export function incompatibleWithPrevious(
  applied: readonly number[],
  known: readonly Migration[] = migrations,
): number[] {
  return applied.filter((version) => {
    const migration = known.find((candidate) => candidate.version === version);
    return migration === undefined || migration.compatibleWithPrevious === false;
  });
}

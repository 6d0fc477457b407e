export interface Migration {
  version: number;
  name: string;
  sql: string;
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
];

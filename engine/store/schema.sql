-- The store's tables as its first versioned step made them; the steps after it (sqlite-migrations.ts)
-- change them: since step 6 `raw` is a BLOB of payload-codec.ts, at the row's end. Times are
-- milliseconds since the epoch.
CREATE TABLE IF NOT EXISTS records (
  id           INTEGER PRIMARY KEY,
  flow         TEXT    NOT NULL,
  dedupe_key   TEXT    NOT NULL,
  trigger      TEXT    NOT NULL,
  raw          TEXT,
  received_at  INTEGER NOT NULL,
  subject      TEXT,
  txn          TEXT,
  status       TEXT    NOT NULL DEFAULT 'pending',
  available_at INTEGER NOT NULL,
  lease_until  INTEGER,
  attempts     INTEGER NOT NULL DEFAULT 0,
  outcome      TEXT,
  reason       TEXT,
  error_code   TEXT,
  finished_at  INTEGER,
  UNIQUE (flow, dedupe_key)
);
CREATE INDEX IF NOT EXISTS records_ready   ON records (available_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS records_subject ON records (flow, subject) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS records_txn     ON records (flow, txn) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS records_flow    ON records (flow, status, id);

CREATE TABLE IF NOT EXISTS history (
  record_id  INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  attempt    INTEGER NOT NULL,
  outcome    TEXT    NOT NULL,
  reason     TEXT,
  error_code TEXT,
  detail     TEXT
);
CREATE INDEX IF NOT EXISTS history_record ON history (record_id);

-- Sticky mailing-list membership: once a contact joined the list in a flow, it stays on it.
CREATE TABLE IF NOT EXISTS memberships (
  flow    TEXT    NOT NULL,
  subject TEXT    NOT NULL,
  since   INTEGER NOT NULL,
  PRIMARY KEY (flow, subject)
) WITHOUT ROWID;

-- What the engine did to MailerLite (for purging test contacts: only what a flow created).
CREATE TABLE IF NOT EXISTS effects (
  flow          TEXT    NOT NULL,
  record_id     INTEGER NOT NULL,
  subscriber_id TEXT    NOT NULL,
  email         TEXT    NOT NULL,
  action        TEXT    NOT NULL,
  at            INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS effects_flow ON effects (flow, at);

CREATE TABLE IF NOT EXISTS flow_activity (
  flow             TEXT PRIMARY KEY,
  last_delivery_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- The PostgreSQL store's tables (migration 1). Times are milliseconds since the epoch, as in SQLite.
CREATE TABLE records (
  id           BIGSERIAL PRIMARY KEY,
  flow         TEXT    NOT NULL,
  dedupe_key   TEXT    NOT NULL,
  trigger      TEXT    NOT NULL,
  -- The record exactly as received (JSON text, not jsonb: key order and numbers stay as sent).
  raw          TEXT,
  received_at  BIGINT  NOT NULL,
  subject      TEXT,
  txn          TEXT,
  status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
  available_at BIGINT  NOT NULL,
  lease_until  BIGINT,
  -- When a pending record may next be claimed: its availability or the end of its lease, whichever
  -- is later; NULL once finished. One index range answers both the claim and the next wake-up.
  due_at       BIGINT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  outcome      TEXT,
  reason       TEXT,
  error_code   TEXT,
  finished_at  BIGINT,
  UNIQUE (flow, dedupe_key)
);
CREATE INDEX records_due     ON records (flow, due_at, id) WHERE status = 'pending';
CREATE INDEX records_subject ON records (flow, subject) WHERE status = 'pending';
CREATE INDEX records_txn     ON records (flow, txn) WHERE status = 'pending';
CREATE INDEX records_flow    ON records (flow, status, id);
CREATE INDEX records_purge   ON records (finished_at) WHERE raw IS NOT NULL AND status <> 'pending';
-- Outcomes of the last day and the throughput chart (the console) without reading every finished record.
CREATE INDEX records_finished ON records (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE history (
  id         BIGSERIAL PRIMARY KEY,
  record_id  BIGINT  NOT NULL,
  at         BIGINT  NOT NULL,
  attempt    INTEGER NOT NULL,
  outcome    TEXT    NOT NULL,
  reason     TEXT,
  error_code TEXT,
  detail     TEXT
);
CREATE INDEX history_record ON history (record_id, id);

-- Sticky mailing-list membership: once a contact joined the list in a flow, it stays on it.
CREATE TABLE memberships (
  flow    TEXT   NOT NULL,
  subject TEXT   NOT NULL,
  since   BIGINT NOT NULL,
  PRIMARY KEY (flow, subject)
);

-- What the engine did to MailerLite (for purging test contacts: only what a flow created).
CREATE TABLE effects (
  id            BIGSERIAL PRIMARY KEY,
  flow          TEXT   NOT NULL,
  record_id     BIGINT NOT NULL,
  subscriber_id TEXT   NOT NULL,
  email         TEXT   NOT NULL,
  action        TEXT   NOT NULL,
  at            BIGINT NOT NULL
);
CREATE INDEX effects_flow ON effects (flow, at);
CREATE INDEX effects_at   ON effects (at);

CREATE TABLE flow_activity (
  flow             TEXT PRIMARY KEY,
  last_delivery_at BIGINT NOT NULL
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Who did what, when (logins, replays, reveals, reloads): append-only.
CREATE TABLE audit (
  id     BIGSERIAL PRIMARY KEY,
  at     BIGINT  NOT NULL,
  actor  TEXT    NOT NULL,
  action TEXT    NOT NULL,
  ok     BOOLEAN NOT NULL,
  target TEXT,
  detail TEXT
);
CREATE INDEX audit_action ON audit (action, id);

-- Jobs: the source of truth. version grows with every change and orders cache writes.
CREATE TABLE jobs (
  id               uuid PRIMARY KEY,
  tenant           text        NOT NULL,
  type             text        NOT NULL,
  status           text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  priority         text        NOT NULL CHECK (priority IN ('high', 'normal', 'low')),
  payload          jsonb       NOT NULL,
  progress_percent int,
  progress_message text,
  attempts         int         NOT NULL DEFAULT 0,
  max_attempts     int         NOT NULL,
  timeout_ms       bigint,
  run_at           timestamptz,
  callback_url     text,
  created_at       timestamptz NOT NULL,
  started_at       timestamptz,
  updated_at       timestamptz NOT NULL,
  finished_at      timestamptz,
  result           jsonb,
  error_code       text,
  error_message    text,
  cancel_requested boolean     NOT NULL DEFAULT false,
  worker_id        text,
  version          bigint      NOT NULL DEFAULT 1
);

-- Listing newest first per tenant; UUIDv7 ids are time-ordered.
CREATE INDEX jobs_tenant_id ON jobs (tenant, id DESC);

-- Transactional outbox: a row per pending Kafka record, written in the same transaction as the job change.
CREATE TABLE job_outbox (
  id      bigserial PRIMARY KEY,
  job_id  uuid        NOT NULL,
  type    text        NOT NULL,
  due_at  timestamptz NOT NULL
);
CREATE INDEX job_outbox_due_at ON job_outbox (due_at);

-- Types declared by workers when they start, with the payload rules the API checks.
CREATE TABLE job_types (
  type          text PRIMARY KEY,
  payload_rules jsonb       NOT NULL,
  declared_at   timestamptz NOT NULL
);

-- API keys, stored as SHA-256 hashes only.
CREATE TABLE api_keys (
  key_hash   text PRIMARY KEY,
  tenant     text        NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- Idempotency keys: per tenant, kept 24 h. request_hash covers the route and the canonical body.
CREATE TABLE idempotency_keys (
  tenant       text        NOT NULL,
  key          text        NOT NULL,
  request_hash text        NOT NULL,
  job_ids      uuid[]      NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

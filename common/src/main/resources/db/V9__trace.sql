-- The W3C trace context of the request that made a job, and of each record owed for it: every Kafka record of the
-- job carries it, whichever process sends it.
ALTER TABLE jobs ADD COLUMN traceparent text;
ALTER TABLE job_outbox ADD COLUMN traceparent text;

-- The namespace a job belongs to: its Kafka topics, and the relay, reaper and reconciler that look after it.
ALTER TABLE jobs ADD COLUMN namespace text NOT NULL DEFAULT 'conveyor';
ALTER TABLE jobs ALTER COLUMN namespace DROP DEFAULT;

-- When a queued job may start: runAt, or the end of a retry's backoff. A claim before it changes nothing.
ALTER TABLE jobs ADD COLUMN due_at timestamptz;
UPDATE jobs SET due_at = coalesce(run_at, created_at) WHERE status = 'queued';

-- A running attempt's lease: the process that holds it (one id per worker process) and until when. The owner's
-- heartbeat renews all of its leases with one statement; a reaper requeues jobs whose lease ran out.
ALTER TABLE jobs ADD COLUMN lease_owner text;
ALTER TABLE jobs ADD COLUMN lease_until timestamptz;
CREATE INDEX jobs_running_lease_until ON jobs (lease_until) WHERE status = 'running';
CREATE INDEX jobs_running_lease_owner ON jobs (lease_owner) WHERE status = 'running';

-- Each namespace's relay sends only its own rows.
ALTER TABLE job_outbox ADD COLUMN namespace text NOT NULL DEFAULT 'conveyor';
ALTER TABLE job_outbox ALTER COLUMN namespace DROP DEFAULT;
DROP INDEX job_outbox_due_at;
CREATE INDEX job_outbox_namespace_due_at ON job_outbox (namespace, due_at);

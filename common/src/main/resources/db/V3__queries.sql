-- When the current (or last) attempt started: attempt durations for the job-types percentiles.
ALTER TABLE jobs ADD COLUMN attempt_started_at timestamptz;

-- Listing with a status filter, and the per-tenant queued/running counts.
CREATE INDEX jobs_tenant_status_id ON jobs (tenant, status, id DESC);
CREATE INDEX jobs_active ON jobs (tenant, type, status) WHERE status IN ('queued', 'running');

-- Recent successful durations per type.
CREATE INDEX jobs_succeeded_finished_at ON jobs (finished_at) WHERE status = 'succeeded';

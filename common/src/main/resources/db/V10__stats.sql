-- The dashboard's throughput chart (GET /v1/stats) counts a tenant's jobs finished per second over the last hour.
-- Partial: a job has an entry only once it has ended, so the jobs' earlier row versions write nothing here.
CREATE INDEX jobs_tenant_finished_at ON jobs (tenant, finished_at) WHERE finished_at IS NOT NULL;

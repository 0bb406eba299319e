-- Which of its type's topics a record goes to: the job's priority, and whether its tenant had a backlog when it was
-- submitted (the backlog lane, which yields to the other tenants' jobs). Rows owed before this migration go to the
-- normal topic, which is the one they always went to.
ALTER TABLE job_outbox ADD COLUMN priority text NOT NULL DEFAULT 'normal';
ALTER TABLE job_outbox ADD COLUMN backlog boolean NOT NULL DEFAULT false;

-- A claim of a type with a concurrency limit counts the type's running jobs.
CREATE INDEX jobs_running_type ON jobs (namespace, type) WHERE status = 'running';

-- A job's budget of attempts as submitted: a retry of a failed or cancelled job grants it once more. Null for jobs
-- stored before it (and by older processes during an upgrade): their max_attempts is still the submitted value.
ALTER TABLE jobs ADD COLUMN attempt_budget int;

-- The schedule that made a job, if one did, and the tick it was made for: one job per tick, whatever runs.
ALTER TABLE jobs ADD COLUMN schedule text;
ALTER TABLE jobs ADD COLUMN schedule_tick timestamptz;
CREATE INDEX jobs_tenant_schedule_id ON jobs (tenant, schedule, id DESC) WHERE schedule IS NOT NULL;
CREATE UNIQUE INDEX jobs_schedule_tick ON jobs (tenant, schedule, schedule_tick) WHERE schedule IS NOT NULL;

-- Recurring jobs: each due tick makes exactly one job. next_run_at is the next tick; a scheduler takes a due
-- schedule with SKIP LOCKED and, in one transaction, stores the tick's job and moves next_run_at past now.
CREATE TABLE schedules (
  namespace   text        NOT NULL,
  tenant      text        NOT NULL,
  name        text        NOT NULL,
  cron        text        NOT NULL,
  timezone    text        NOT NULL,
  job         jsonb       NOT NULL,
  paused      boolean     NOT NULL DEFAULT false,
  next_run_at timestamptz,
  last_run_at timestamptz,
  last_job_id uuid,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (namespace, tenant, name)
);
CREATE INDEX schedules_due ON schedules (namespace, next_run_at) WHERE NOT paused;

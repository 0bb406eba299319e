-- Callback delivery (API.md "Callbacks"): the job's latest delivery lives on its row, so the job's answer, ETag and
-- cached copy show it. callback_due_at is set while a delivery is owed; a dispatcher takes due rows with SKIP LOCKED.
ALTER TABLE jobs ADD COLUMN callback_delivery     uuid;
ALTER TABLE jobs ADD COLUMN callback_since        timestamptz;
ALTER TABLE jobs ADD COLUMN callback_due_at       timestamptz;
ALTER TABLE jobs ADD COLUMN callback_attempts     int NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN callback_last_status  int;
ALTER TABLE jobs ADD COLUMN callback_last_error   text;
ALTER TABLE jobs ADD COLUMN callback_delivered_at timestamptz;
CREATE INDEX jobs_callback_due ON jobs (namespace, callback_due_at) WHERE callback_due_at IS NOT NULL;

-- A trigger rather than a clause in each statement, because every path to a terminal state (a worker's result, a
-- cancel, a reaper giving up, whatever is added later) must owe the delivery in the same statement, atomically. A job
-- sent around again by a retry drops a delivery still owed: its next terminal state owes a new one.
CREATE FUNCTION jobs_owe_callback() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('succeeded', 'failed', 'cancelled') THEN
    NEW.callback_delivery := gen_random_uuid();
    NEW.callback_since := now();
    NEW.callback_due_at := now();
    NEW.callback_attempts := 0;
    NEW.callback_last_status := NULL;
    NEW.callback_last_error := NULL;
    NEW.callback_delivered_at := NULL;
  ELSE
    NEW.callback_due_at := NULL;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER jobs_owe_callback BEFORE UPDATE OF status ON jobs FOR EACH ROW
  WHEN (NEW.callback_url IS NOT NULL
    AND (NEW.status IN ('succeeded', 'failed', 'cancelled')) <> (OLD.status IN ('succeeded', 'failed', 'cancelled')))
  EXECUTE FUNCTION jobs_owe_callback();

-- Each tenant's secrets for signing callbacks; the newest unretired one signs. Kept readable: an HMAC needs the key.
CREATE TABLE callback_secrets (
  tenant     text        NOT NULL,
  secret     text        NOT NULL,
  created_at timestamptz NOT NULL,
  retired_at timestamptz,
  PRIMARY KEY (tenant, created_at)
);
CREATE UNIQUE INDEX callback_secrets_current ON callback_secrets (tenant) WHERE retired_at IS NULL;

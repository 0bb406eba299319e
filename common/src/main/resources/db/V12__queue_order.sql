-- When an owed record's job was due: its place in its queue, sent with the record, so that workers start the
-- records they have read ahead of a queue in that order, not in the order they were sent or read. NULL for rows
-- owed before this version.
ALTER TABLE job_outbox ADD COLUMN queued_at timestamptz;

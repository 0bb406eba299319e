-- When the current attempt's handler began, as its worker's progress reports date it (NULL until one does).
-- The claim (attempt_started_at) comes a moment earlier; the poll hints measure the progress rate from here.
ALTER TABLE jobs ADD COLUMN handler_started_at timestamptz;

-- Every status change writes an entry into each index of jobs, so an index earns its place or goes. The renewal
-- of a worker's leases names its jobs by id, which the primary key serves.
DROP INDEX IF EXISTS jobs_running_lease_owner;

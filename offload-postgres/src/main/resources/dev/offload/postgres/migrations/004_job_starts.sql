-- When a job's handler first started and when that first attempt was due: the whole time of a job
-- across its attempts (finished_at - first_started_at) and its queue wait (first_started_at -
-- first_due_at), for the per-kind advice. started_at is the latest attempt's handler start; a job
-- that is claimed but whose handler has not started (claimed ahead) is 'running' with no started_at.
ALTER TABLE {schema}.jobs ADD COLUMN first_started_at timestamptz, ADD COLUMN first_due_at timestamptz;

-- Workflows: steps are jobs with a workflow, a step name and a failure policy; a step waits in
-- 'waiting' (never claimed) until the jobs it depends on (job_deps) have ended.
ALTER TABLE {schema}.jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE {schema}.jobs ADD CONSTRAINT jobs_state_check
  CHECK (state IN ('scheduled', 'available', 'running', 'retrying', 'succeeded', 'dead', 'cancelled', 'waiting'));

CREATE TABLE {schema}.workflows (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text        NOT NULL,
  created_at   timestamptz NOT NULL,
  -- Set when a user cancels the workflow; cleared when it is retried.
  cancelled_at timestamptz
);

ALTER TABLE {schema}.jobs ADD COLUMN workflow_id bigint;
ALTER TABLE {schema}.jobs ADD COLUMN step text;
ALTER TABLE {schema}.jobs ADD COLUMN on_failure text CHECK (on_failure IN ('cancel', 'continue'));

CREATE INDEX jobs_workflow_idx ON {schema}.jobs (workflow_id, id) WHERE workflow_id IS NOT NULL;

-- job_id waits for depends_on. Completions look up dependents by depends_on.
CREATE TABLE {schema}.job_deps (
  job_id     bigint NOT NULL,
  depends_on bigint NOT NULL,
  PRIMARY KEY (job_id, depends_on)
);
CREATE INDEX job_deps_depends_on_idx ON {schema}.job_deps (depends_on);

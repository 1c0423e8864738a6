-- Fan-out and batches.
-- A step that waits for a group ("sync/*") waits for the step sync (a job_deps row) and for every
-- step added under it while the workflow runs: the transaction that adds a step whose name starts
-- with a group's prefix ("sync/") gives each waiting member of that group a job_deps row on it.
CREATE TABLE {schema}.job_dep_groups (
  workflow_id bigint NOT NULL,
  job_id      bigint NOT NULL,
  prefix      text   NOT NULL,
  PRIMARY KEY (job_id, prefix)
);
CREATE INDEX job_dep_groups_workflow_idx ON {schema}.job_dep_groups (workflow_id);

-- A running step that adds a step looks its name up first: a retried attempt adds each step once.
CREATE INDEX jobs_workflow_step_idx ON {schema}.jobs (workflow_id, step) WHERE workflow_id IS NOT NULL;

-- A batch is a workflow whose callbacks (its steps with dependencies) get the batch's counts in
-- their args when they are released.
ALTER TABLE {schema}.workflows ADD COLUMN batch boolean NOT NULL DEFAULT false;

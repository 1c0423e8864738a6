-- Push delivery (issue 16): a queue bound to an HTTP endpoint. The secret is never stored, only
-- the name of the environment variable that holds it on each dispatching node.
ALTER TABLE {schema}.queues
  ADD COLUMN push_url         text,
  ADD COLUMN push_timeout_ms  bigint,
  ADD COLUMN push_secret_env  text,
  ADD COLUMN push_allow_http  boolean NOT NULL DEFAULT false;

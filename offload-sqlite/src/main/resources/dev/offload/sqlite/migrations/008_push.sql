-- Push delivery (issue 16): a queue bound to an HTTP endpoint. The secret is never stored, only
-- the name of the environment variable that holds it on each dispatching process.
ALTER TABLE offload_queues ADD COLUMN push_url TEXT;
ALTER TABLE offload_queues ADD COLUMN push_timeout_ms INTEGER;
ALTER TABLE offload_queues ADD COLUMN push_secret_env TEXT;
ALTER TABLE offload_queues ADD COLUMN push_allow_http INTEGER NOT NULL DEFAULT 0;

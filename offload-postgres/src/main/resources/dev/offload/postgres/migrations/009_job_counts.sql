-- Job counts per queue and state, kept by triggers in the transaction that moves a job, so the
-- dashboard, GET /api/queues and /metrics read a few dozen rows instead of counting every job
-- (a million finished rows took a sequential scan per read). Each backend adds to rows of its own
-- (slot = its pid): concurrent transactions never wait on one another's counter rows, and a
-- transaction that moves jobs in several statements cannot deadlock on them. Rows of backends that
-- have gone are folded into slot 0 (PostgresStore.queueStats). Statement-level triggers see the
-- moved rows once per statement, so a claim or a completion of 500 jobs costs one upsert per
-- queue and state it touched.
CREATE TABLE {schema}.job_counts (
  queue text   NOT NULL,
  state text   NOT NULL,
  slot  integer NOT NULL,
  n     bigint  NOT NULL,
  PRIMARY KEY (queue, state, slot)
);

CREATE FUNCTION {schema}.job_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {schema}.job_counts AS c (queue, state, slot, n)
    SELECT queue, state, pg_backend_pid(), count(*) FROM new_rows GROUP BY queue, state ORDER BY queue, state
    ON CONFLICT (queue, state, slot) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO {schema}.job_counts AS c (queue, state, slot, n)
    SELECT queue, state, pg_backend_pid(), -count(*) FROM old_rows GROUP BY queue, state ORDER BY queue, state
    ON CONFLICT (queue, state, slot) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    INSERT INTO {schema}.job_counts AS c (queue, state, slot, n)
    SELECT queue, state, pg_backend_pid(), sum(d) FROM (
      SELECT queue, state, -1 AS d FROM old_rows UNION ALL SELECT queue, state, 1 FROM new_rows) m
    GROUP BY queue, state HAVING sum(d) <> 0 ORDER BY queue, state
    ON CONFLICT (queue, state, slot) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION {schema}.job_counts_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {schema}.job_counts;
  RETURN NULL;
END $$;

-- No writer may move a job between the count below and the triggers taking over: migrations run
-- in a transaction, so the lock holds until the triggers are in place.
LOCK TABLE {schema}.jobs IN SHARE ROW EXCLUSIVE MODE;

CREATE TRIGGER jobs_count_insert AFTER INSERT ON {schema}.jobs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {schema}.job_counts_add();
CREATE TRIGGER jobs_count_update AFTER UPDATE ON {schema}.jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {schema}.job_counts_add();
CREATE TRIGGER jobs_count_delete AFTER DELETE ON {schema}.jobs REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {schema}.job_counts_add();
CREATE TRIGGER jobs_count_truncate AFTER TRUNCATE ON {schema}.jobs
  FOR EACH STATEMENT EXECUTE FUNCTION {schema}.job_counts_clear();

INSERT INTO {schema}.job_counts (queue, state, slot, n)
SELECT queue, state, 0, count(*) FROM {schema}.jobs GROUP BY queue, state;

-- A job enqueued on its own, in a transaction of its own (a plain enqueue), counts itself inside
-- its insert statement (InsertColumns.insertOneOwn) and marks that transaction with the setting
-- offload.insert_counted, so the insert trigger skips it. The trigger's call with a transition
-- table took about as long as the insert itself, and a single enqueue pays it per job. The mark is
-- transaction-local (set_config(..., true)) and the statement that sets it is its transaction, so
-- every other insert, in any transaction, is still counted here.
DROP TRIGGER jobs_count_insert ON {schema}.jobs;
CREATE TRIGGER jobs_count_insert AFTER INSERT ON {schema}.jobs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT WHEN (current_setting('offload.insert_counted', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION {schema}.job_counts_add();

-- Headers an enqueue stores with a job for the code that runs it, as a JSON object of strings:
-- offload-opentelemetry's W3C trace context ({"traceparent": "00-…"}). Null for most jobs.
ALTER TABLE {schema}.jobs ADD COLUMN headers jsonb;

-- A queue limit (maxRunning) shared out between processes as leases (issue 13): each process holds
-- the slots it may be running until expires_us (epoch microseconds), and asks again before then.
-- The leases' sum never exceeds the limit; a process that dies stops counting when its lease lapses.
CREATE TABLE offload_queue_slots (
  queue      TEXT    NOT NULL,
  node       TEXT    NOT NULL,
  held       INTEGER NOT NULL,
  wanted     INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  PRIMARY KEY (queue, node)
);

-- A queue limit (maxRunning) shared out between nodes as leases (issue 13): each node holds the
-- slots it may be running until expires_us (epoch microseconds on the database's clock), and asks
-- again before then. The leases' sum never exceeds the limit; a node that dies stops counting when
-- its lease lapses. wanted lets a node holding more than its share see that another wants more.
CREATE TABLE {schema}.queue_slots (
  queue      text    NOT NULL,
  node       text    NOT NULL,
  held       integer NOT NULL,
  wanted     integer NOT NULL,
  expires_us bigint  NOT NULL,
  PRIMARY KEY (queue, node)
);

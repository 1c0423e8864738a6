/** The PostgreSQL store: {@link dev.offload.postgres.PostgresStore}. */
module dev.offload.postgres {
  requires transitive dev.offload;
  requires com.zaxxer.hikari;
  requires org.postgresql.jdbc;
  requires org.slf4j;

  exports dev.offload.postgres;
}

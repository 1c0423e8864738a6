/** The embedded SQLite store: {@link dev.offload.sqlite.SqliteStore}. */
module dev.offload.sqlite {
  requires transitive dev.offload;
  requires org.xerial.sqlitejdbc;

  exports dev.offload.sqlite;
}

package dev.offload.spring;

import dev.offload.Offload;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Lets {@code offload.enqueue(...)} join the Spring transaction of the calling thread: when a
 * transaction is active on Offload's DataSource (a {@code @Transactional} method with the
 * DataSource's or JPA's transaction manager), the job is inserted on that transaction's connection,
 * so it exists only if the transaction commits and is visible the moment it does. Outside one, or
 * in a transaction on another DataSource, the enqueue commits on its own.
 */
final class SpringTransactions implements Offload.TransactionLookup {
  private final DataSource dataSource;

  SpringTransactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Connection current() {
    if (!TransactionSynchronizationManager.isActualTransactionActive()
        || TransactionSynchronizationManager.getResource(dataSource) == null) {
      return null;
    }
    // The transaction's own connection. Handing the reference back at once leaves it bound to the
    // transaction, whose manager commits (or rolls back) and closes it when the transaction ends.
    Connection connection = DataSourceUtils.getConnection(dataSource);
    DataSourceUtils.releaseConnection(connection, dataSource);
    return connection;
  }
}

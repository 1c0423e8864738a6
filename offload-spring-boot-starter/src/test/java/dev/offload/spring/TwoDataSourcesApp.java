package dev.offload.spring;

import javax.sql.DataSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/** An application with two SQLite DataSources; {@code offload.datasource} picks the second. */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = PlainApp.DATA_SOURCE)
@Import(OrdersApp.OrderSync.class)
class TwoDataSourcesApp {
  @Bean
  @Primary
  DataSource appData(org.springframework.core.env.Environment env) {
    return sqlite(env.getRequiredProperty("test.app-db"));
  }

  @Bean
  DataSource jobsData(org.springframework.core.env.Environment env) {
    return sqlite(env.getRequiredProperty("test.jobs-db"));
  }

  private static DataSource sqlite(String file) {
    return new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + file);
  }
}

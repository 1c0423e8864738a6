package dev.offload.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** An application without web or security: the handler beans only. */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = PlainApp.DATA_SOURCE)
@Import({OrdersApp.OrderSync.class, OrdersApp.MonthlyReport.class})
class PlainApp {
  /** These applications have no DataSource: Offload's store is offload.store. */
  static final String DATA_SOURCE =
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";
}

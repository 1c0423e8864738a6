package dev.offload.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;

/** Two handler beans of one kind: the start must fail naming both. */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = PlainApp.DATA_SOURCE)
@Import({OrdersApp.OrderSync.class, DuplicateKindApp.SecondSync.class})
class DuplicateKindApp {
  @Component("secondSync")
  @OffloadJob(kind = "orders.sync")
  static class SecondSync extends OrdersApp.OrderSync {}
}

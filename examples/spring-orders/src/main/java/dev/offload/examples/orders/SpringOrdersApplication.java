package dev.offload.examples.orders;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * spring-orders: a small web shop back office where a signed-in user syncs their orders, builds a
 * monthly report or reconciles payments. Each runs as an Offload job through {@code runOrDefer}: a
 * small one answers in the same response, a large one sends the user to a page with a live progress
 * bar. Admins see Offload's dashboard at {@code /offload}. See README.md beside the pom.
 */
@SpringBootApplication
public class SpringOrdersApplication {
  public static void main(String[] args) {
    SpringApplication.run(SpringOrdersApplication.class, args);
  }
}

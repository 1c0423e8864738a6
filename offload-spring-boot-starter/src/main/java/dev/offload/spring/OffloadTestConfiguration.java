package dev.offload.spring;

import dev.offload.Offload;
import dev.offload.test.OffloadTest.Mode;
import dev.offload.test.OffloadTest.StoreType;
import dev.offload.test.TestClock;
import dev.offload.test.TestOffload;
import java.util.Locale;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * The beans of {@link AutoConfigureOffloadTest}: a {@link TestOffload} with the application's
 * handler beans, its {@code Offload} (which the starter's auto-configuration then leaves alone) and
 * its clock.
 */
@Configuration(proxyBeanMethods = false)
class OffloadTestConfiguration {
  @Bean(destroyMethod = "close")
  TestOffload testOffload(ListableBeanFactory beans, Environment env) {
    Mode mode = setting(env, "offload.test.mode", "inline", Mode.class);
    StoreType store = setting(env, "offload.test.store", "sqlite", StoreType.class);
    return TestOffload.create(mode, store, builder -> HandlerBeans.register(beans, env, builder));
  }

  /** The test's Offload; the TestOffload closes it. */
  @Bean(destroyMethod = "")
  @Primary
  Offload offload(TestOffload testOffload) {
    return testOffload.offload();
  }

  @Bean
  TestClock offloadTestClock(TestOffload testOffload) {
    return testOffload.clock();
  }

  private static <E extends Enum<E>> E setting(
      Environment env, String name, String otherwise, Class<E> type) {
    String value = env.getProperty(name, otherwise).trim();
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E constant : type.getEnumConstants()) {
        allowed
            .append(allowed.isEmpty() ? "" : ", ")
            .append(constant.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalStateException(
          name + " must be one of " + allowed + ", got '" + value + "'", e);
    }
  }
}

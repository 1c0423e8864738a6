package dev.offload.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.demo.DemoClient.Page;
import dev.offload.demo.DemoClient.RateLimited;
import dev.offload.demo.DemoClient.Totals;
import dev.offload.demo.DemoClient.UpstreamException;
import dev.offload.demo.DemoUpstream.Order;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The simulated upstream over real HTTP: pagination, totals, the rate limit, failing pages, the
 * seed.
 */
class DemoUpstreamTest {
  /** An upstream that never misbehaves, except for its broken orders. */
  private static DemoUpstream.Config wellBehaved(int orders) {
    return new DemoUpstream.Config(orders, DemoUpstream.SEED, 10_000, 10_000, 0, 1, 0, 100);
  }

  @Test
  void pagesCoverEveryOrderOnceAndTotalsAddUpTheGoodOnes() throws Exception {
    try (DemoUpstream upstream = DemoUpstream.start(wellBehaved(1_234))) {
      DemoClient client = new DemoClient(upstream.uri());
      List<Order> all = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        Page page = client.orders(cursor, 100);
        all.addAll(page.orders());
        cursor = page.next();
        pages++;
      } while (cursor != null);

      assertThat(pages).isEqualTo(13);
      Set<String> ids = new HashSet<>();
      all.forEach(o -> ids.add(o.id()));
      assertThat(ids).hasSize(1_234);
      List<String> broken =
          all.stream().filter(o -> DemoSync.problem(o) != null).map(Order::id).toList();
      assertThat(broken).isNotEmpty().isEqualTo(upstream.brokenOrders());
      Totals totals = client.totals();
      long good =
          all.stream().filter(o -> DemoSync.problem(o) == null).mapToLong(Order::amountCents).sum();
      assertThat(totals.orders()).isEqualTo(1_234 - broken.size());
      assertThat(totals.amountCents()).isEqualTo(good);
      assertThat(totals.months())
          .isEqualTo(upstream.totals())
          .extracting(MonthTotal::month)
          .hasSize(12);
      assertThat(client.order("O-000007")).isEqualTo(all.get(6));
    }
  }

  @Test
  void requestsBeyondTheBurstAreAnswered429WithRetryAfter() throws Exception {
    try (DemoUpstream upstream =
        DemoUpstream.start(new DemoUpstream.Config(100, 1, 0.5, 2, 0, 1, 0, 1_000))) {
      DemoClient client = new DemoClient(upstream.uri());
      client.orders(null, 10);
      client.orders(null, 10);

      assertThatThrownBy(() -> client.orders(null, 10))
          .isInstanceOfSatisfying(
              RateLimited.class, e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1)));
      assertThat(upstream.counts().rateLimited()).isEqualTo(1);
    }
  }

  @Test
  void aPageInAnOutageAnswers500FourTimesThenItsOrders() throws Exception {
    // Every page fails, and every failing page is an outage.
    try (DemoUpstream upstream =
        DemoUpstream.start(new DemoUpstream.Config(100, 1, 10_000, 10_000, 1.0, 1, 0, 1_000))) {
      DemoClient client = new DemoClient(upstream.uri());
      for (int i = 0; i < 4; i++) {
        assertThatThrownBy(() -> client.orders(null, 50))
            .isInstanceOfSatisfying(
                UpstreamException.class, e -> assertThat(e.isTransient()).isTrue())
            .hasMessageContaining("HTTP 500");
      }

      assertThat(client.orders(null, 50).orders()).hasSize(50);
      assertThat(upstream.counts().failed()).isEqualTo(4);
    }
  }

  @Test
  void theSameSeedMakesTheSameOrdersAndTheSameFailures() {
    try (DemoUpstream a = DemoUpstream.start(DemoUpstream.Config.of(5_000));
        DemoUpstream b = DemoUpstream.start(DemoUpstream.Config.of(5_000))) {
      assertThat(a.order(4_321)).isEqualTo(b.order(4_321));
      assertThat(a.brokenOrders()).isEqualTo(b.brokenOrders()).hasSizeGreaterThanOrEqualTo(2);
      assertThat(a.fate("O-000400/100")).isEqualTo(b.fate("O-000400/100"));
      assertThat(a.totals()).isEqualTo(b.totals());
    }
  }

  @Test
  void aCursorItDidNotReturnIsABadRequest() {
    try (DemoUpstream upstream = DemoUpstream.start(wellBehaved(10))) {
      DemoClient client = new DemoClient(upstream.uri());

      assertThatThrownBy(() -> client.orders("nonsense", 10))
          .isInstanceOfSatisfying(
              UpstreamException.class, e -> assertThat(e.isTransient()).isFalse())
          .hasMessageContaining("HTTP 400");
    }
  }
}

package dev.offload;

import java.util.List;

/**
 * Items of a bulk job that failed without failing the job ({@link JobContext#itemFailed}). The
 * first {@value #KEPT} are kept with their errors; {@code count} counts all of them.
 *
 * @param count how many items failed in all
 * @param items the first {@value #KEPT}, in the order they failed
 */
public record FailedItems(long count, List<Item> items) {
  public static final int KEPT = 1_000;

  public FailedItems {
    items = items == null ? List.of() : List.copyOf(items);
  }

  /** How many failed items are counted but not listed. */
  @com.fasterxml.jackson.annotation.JsonProperty("omitted")
  public long omitted() {
    return count - items.size();
  }

  /** One failed item: its key (an order number, a row id) and what went wrong. */
  public record Item(String key, String error) {}
}

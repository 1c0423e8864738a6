package dev.offload.demo;

/**
 * The good orders of one month: how many and their amount. The upstream's {@code /totals}, the
 * app's report and {@link Demo#expected} speak of months this way.
 *
 * @param month {@code 2024-03}
 * @param orders good orders in the month
 * @param amountCents their amounts added up, in cents
 */
public record MonthTotal(String month, long orders, long amountCents) {}

package org.syncbus.soak;

import java.util.ArrayList;
import java.util.List;
import org.syncbus.soak.SoakLedger.Tally;

/**
 * The outcome of a soak: what the publishers saw ({@link Tally}), what the cluster holds at the end
 * ({@link Comparison}, null when the run was aborted before it), the kills done, and why the run
 * was aborted, if it was.
 */
record SoakReport(SoakOptions options, List<Kill> kills, Tally tally, Comparison comparison, long durationMillis,
                  String aborted) {

  /** One kill: which node (the owner), how long until the survivors agreed on a new owner, until the next 200, until it was back. */
  record Kill(int number, String node, long takeOverMillis, long acknowledgedAgainMillis, long rejoinMillis) {
    @Override
    public String toString() {
      return "kill " + number + ": the owner, " + node + ", SIGKILLed; new owner after " + seconds(takeOverMillis)
          + ", 200s again after " + seconds(acknowledgedAgainMillis) + ", back in the cluster after "
          + seconds(rejoinMillis);
    }
  }

  /**
   * The final backlog against the publishers' ledger: acknowledged batches whose record is missing
   * ({@code lost}), batches applied more than once (the final seq minus the records: each applied
   * batch raises the seq by one and adds one new record), given-up batches that were applied anyway,
   * records no publisher sent, and whether every node served the same seq and records.
   */
  record Comparison(String epoch, long seq, long records, long lost, long appliedTwice, long givenUpApplied,
                    long unknown, String disagreement, List<String> lostExamples) {}

  boolean passed() {
    return problems().isEmpty();
  }

  /** Why the soak failed; empty when it passed. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (aborted != null) {
      problems.add("aborted: " + aborted);
    }
    if (kills.size() != options.kills()) {
      problems.add(kills.size() + " kills done, " + options.kills() + " asked for");
    }
    if (tally != null && tally.refused() > 0) {
      problems.add(tally.refused() + " batches refused (4xx): " + tally.failures());
    }
    if (tally != null && tally.acknowledged() == 0) {
      problems.add("no batch was acknowledged");
    }
    if (comparison != null) {
      if (comparison.lost() > 0) {
        problems.add(comparison.lost() + " acknowledged batches lost, e.g. " + comparison.lostExamples());
      }
      if (comparison.appliedTwice() != 0) {
        problems.add(comparison.appliedTwice() + " batches applied twice (seq " + comparison.seq() + ", "
            + comparison.records() + " records)");
      }
      if (comparison.unknown() > 0) {
        problems.add(comparison.unknown() + " records that no publisher sent");
      }
      if (comparison.disagreement() != null) {
        problems.add("the nodes disagree: " + comparison.disagreement());
      }
    }
    return problems;
  }

  /** The one line the soak prints on stdout. */
  String summary() {
    String killsText = (kills.size() == options.kills() ? kills.size() + "" : kills.size() + " of " + options.kills())
        + " kills, " + options.publishers() + " publishers";
    if (comparison == null || tally == null) {
      return "soak: FAILED after " + killsText + (tally == null ? "" : ", " + tally.acknowledged() + " acknowledged")
          + ", " + seconds(durationMillis) + ": " + aborted.lines().findFirst().orElse("");
    }
    return "soak: " + killsText + ", " + tally.acknowledged() + " acknowledged, " + comparison.lost() + " lost, "
        + comparison.appliedTwice() + " applied twice, " + tally.givenUp() + " given up, longest window without a 200 "
        + tally.longestWithoutAckMillis() + " ms, publish p50 " + tally.p50Millis() + " ms p99 " + tally.p99Millis()
        + " ms, " + Math.round(durationMillis / 1000.0) + " s";
  }

  /** The figures behind the summary, for stderr. */
  String details() {
    StringBuilder text = new StringBuilder();
    if (tally != null) {
      text.append("soak: ").append(tally.attempted()).append(" batches attempted, ").append(tally.acknowledged())
          .append(" acknowledged, ").append(tally.givenUp()).append(" given up, ").append(tally.refused())
          .append(" refused; ").append(tally.switches()).append(" retries through another node; publish max ")
          .append(tally.maxMillis()).append(" ms; publishing ").append(seconds(tally.publishingMillis())).append('\n');
    }
    if (comparison != null) {
      text.append("soak: final epoch ").append(comparison.epoch()).append(" seq ").append(comparison.seq()).append(", ")
          .append(comparison.records()).append(" records; ").append(comparison.givenUpApplied())
          .append(" given-up batches were applied (once)\n");
    }
    if (!kills.isEmpty()) {
      text.append("soak: new owner after ").append(range(kills.stream().mapToLong(Kill::takeOverMillis).toArray()))
          .append(", 200s again after ").append(range(kills.stream().mapToLong(Kill::acknowledgedAgainMillis).toArray()))
          .append(", rejoin after ").append(range(kills.stream().mapToLong(Kill::rejoinMillis).toArray())).append('\n');
    }
    if (tally != null && !tally.failures().isEmpty()) {
      text.append("soak: failures seen, e.g. ").append(tally.failures()).append('\n');
    }
    return text.toString();
  }

  private static String range(long[] millis) {
    long[] sorted = millis.clone();
    java.util.Arrays.sort(sorted);
    return seconds(sorted[0]) + "–" + seconds(sorted[sorted.length - 1]) + " (median " + seconds(sorted[sorted.length / 2])
        + ")";
  }

  static String seconds(long millis) {
    return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}

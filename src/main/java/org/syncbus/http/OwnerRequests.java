package org.syncbus.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.syncbus.contract.Refusal;

/**
 * The batches one edge has sent to their queues' owners and not yet seen answered, by the owner
 * each was sent to: when Hazelcast removes a node from the cluster, every batch sent to it fails
 * at once with 503 (retry), instead of waiting for the apply timeout. A batch sent to an owner's
 * own address ({@link QueueEdge#applyAddress}) can be applied by that owner only, so a batch
 * failed here was not applied by the next owner (the one that left may have applied it before it
 * went, as with any 503 after a timeout). A batch sent before the mirror knew any owner, to the
 * queue's address, fails whichever node leaves.
 *
 * <p>Once the owner left, the edge sends nothing more to it: batches are refused until the next
 * owner announces itself. Used from its edge's event loop only.
 */
final class OwnerRequests {
  /** Batches sent while the mirror knew no owner: whichever node leaves may have been it. */
  private static final String UNKNOWN = "";

  private final Map<String, Set<Promise<?>>> byOwner = new HashMap<>();

  /**
   * {@code request}'s outcome, unless {@code owner} (null when unknown) leaves the cluster first:
   * then a {@link Refusal#NOT_READY} naming the queue and the owner.
   */
  <T> Future<T> track(String queue, String owner, Future<T> request) {
    String key = owner == null ? UNKNOWN : owner;
    Promise<T> answer = Promise.promise();
    Set<Promise<?>> waiting = byOwner.computeIfAbsent(key, k -> new LinkedHashSet<>());
    waiting.add(answer);
    request.onComplete(answer::tryComplete, answer::tryFail);
    return answer.future()
        .recover(error -> Future.failedFuture(error instanceof OwnerLeft left
            ? Refusal.NOT_READY.with("queue " + queue + ": its owner, node " + left.node
                + ", left the cluster before answering; retry")
            : error))
        .onComplete(done -> forget(key, answer));
  }

  /** {@code node} left the cluster: the batches waiting on it, or on an owner not known, fail now. */
  void ownerLeft(String node) {
    OwnerLeft left = new OwnerLeft(node);
    for (String key : new String[] {node, UNKNOWN}) {
      Set<Promise<?>> waiting = byOwner.remove(key);
      if (waiting != null) {
        waiting.forEach(answer -> answer.tryFail(left));
      }
    }
  }

  /** How many batches wait for an answer. */
  int size() {
    return byOwner.values().stream().mapToInt(Set::size).sum();
  }

  private void forget(String key, Promise<?> answer) {
    Set<Promise<?>> waiting = byOwner.get(key);
    if (waiting != null && waiting.remove(answer) && waiting.isEmpty()) {
      byOwner.remove(key);
    }
  }

  private static final class OwnerLeft extends RuntimeException {
    final String node;

    OwnerLeft(String node) {
      super("node " + node + " left the cluster", null, false, false);
      this.node = node;
    }
  }
}

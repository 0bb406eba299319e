package dev.conveyor.worker.queue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses, among ranked contenders that all have work waiting, which goes next: the best ranked, unless a lower one
 * has been passed over {@code share - 1} times in a row while it waited, in which case that one goes (the best
 * ranked of those owed a turn). So the first contender takes the rest of the starts, and each lower contender that
 * waits gets at least one start in {@code share}. A contender that stops waiting loses its count. Not thread-safe.
 */
final class TurnTaking<K> {
  private final int share;
  private final Map<K, Integer> passedOver = new HashMap<>();

  TurnTaking(int share) {
    if (share < 2) {
      throw new IllegalArgumentException("share must be at least 2");
    }
    this.share = share;
  }

  /** @param waiting the contenders with work waiting, best ranked first; not empty */
  K next(List<K> waiting) {
    K chosen = waiting.get(0);
    for (K contender : waiting) {
      if (passedOver.getOrDefault(contender, 0) >= share - 1) {
        chosen = contender;
        break;
      }
    }
    passedOver.keySet().retainAll(waiting);
    for (K contender : waiting) {
      if (contender.equals(chosen)) {
        passedOver.remove(contender);
      } else {
        passedOver.merge(contender, 1, Integer::sum);
      }
    }
    return chosen;
  }
}

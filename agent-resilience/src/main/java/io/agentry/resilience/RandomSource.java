package io.agentry.resilience;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Where the jittered backoffs draw their randomness: a fresh generator per task and retry decision
 * whose draws depend only on the task's id. {@link ResiliencePolicy} keeps no per-task state
 * between attempts; to know the wait a task had before (which decorrelated jitter grows from), it
 * replays the task's draws from a generator made for the task's id. So the same id must give the
 * same draws every time: {@link #forTask(String)} must be a pure function of its argument.
 *
 * <p>Inject one to make jitter reproducible ({@link #seeded(long)}) or to pin it in tests.
 */
@FunctionalInterface
public interface RandomSource {

  /**
   * Returns a new generator for a task; the same id must give the same sequence of draws.
   *
   * @param taskId the task's id
   * @return a generator used by one thread for one decision
   */
  RandomGenerator forTask(String taskId);

  /**
   * Returns a source whose draws follow from a seed and the task id: reproducible from run to run.
   * Tasks with different ids draw independently (a 64-bit hash of the id is mixed into the seed).
   *
   * @param seed the seed
   * @return the source
   */
  static RandomSource seeded(long seed) {
    return taskId -> new SplittableRandom(seed ^ hash(taskId));
  }

  /**
   * Returns a source seeded once, at random, when this method is called: different from run to run
   * and from policy to policy, yet reproducible per task within one policy.
   *
   * @return the source
   */
  static RandomSource ofDefaults() {
    return seeded(new SplittableRandom().nextLong());
  }

  /** A 64-bit FNV-1a hash of the id, then a murmur3 finalizer so that near ids spread. */
  private static long hash(String taskId) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < taskId.length(); i++) {
      h ^= taskId.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb93fe1a85ec3L;
    h ^= h >>> 33;
    return h;
  }
}

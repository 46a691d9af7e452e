package io.agentry.scheduler;

/** The 64-bit hashes of the consistent-hash ring: stable across JVMs and releases. */
final class Hashing {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Hashing() {}

  /** FNV-1a over the UTF-16 chars, then MurmurHash3's finalizer so that every bit avalanches. */
  static long hash(String s) {
    long h = FNV_OFFSET;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= FNV_PRIME;
    }
    return mix(h);
  }

  /** The position of an agent's {@code i}-th virtual node (a SplitMix64 sequence from its id hash). */
  static long point(long agentHash, int i) {
    return mix(agentHash + (i + 1L) * GOLDEN);
  }

  /** MurmurHash3 fmix64. */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}

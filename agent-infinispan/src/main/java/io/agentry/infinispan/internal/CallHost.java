package io.agentry.infinispan.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Address;
import org.jspecify.annotations.Nullable;

/**
 * The member-side end of remote attempts, which the cluster functions call. Infinispan hands a
 * cluster function only the cache manager, so each member's host is found by its cluster address in
 * a registry; entries live from join to close.
 */
public interface CallHost {

  /**
   * Runs one remote attempt and waits for its end.
   *
   * @param call the envelope
   * @return the answer
   */
  RemoteResult run(RemoteCall call);

  /**
   * Cancels a remote attempt, best effort.
   *
   * @param attemptId the cluster-wide attempt id
   * @return whether an attempt was cancelled
   */
  boolean cancel(String attemptId);

  /**
   * Finds the host of a member.
   *
   * @param manager the member's cache manager
   * @return the host, or null if none is registered
   */
  static @Nullable CallHost on(EmbeddedCacheManager manager) {
    Address address = manager.getAddress();
    return address == null ? null : Registry.HOSTS.get(address);
  }

  /**
   * Registers a member's host.
   *
   * @param address the member's address
   * @param host the host
   */
  static void register(Address address, CallHost host) {
    Registry.HOSTS.put(address, host);
  }

  /**
   * Removes a member's host.
   *
   * @param address the member's address
   * @param host the host
   */
  static void unregister(Address address, CallHost host) {
    Registry.HOSTS.remove(address, host);
  }

  /** Holds the registry (interfaces cannot have private static fields). */
  final class Registry {
    private static final ConcurrentMap<Address, CallHost> HOSTS = new ConcurrentHashMap<>();

    private Registry() {}
  }
}

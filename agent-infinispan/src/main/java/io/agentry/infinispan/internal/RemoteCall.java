package io.agentry.infinispan.internal;

import java.util.function.Function;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.protostream.annotations.Proto;

/**
 * The envelope of one remote attempt, sent with {@code ClusterExecutor} to the member that hosts the
 * agent. Infinispan runs {@link #apply} on that member (on its blocking executor, a virtual thread on
 * JDK 21+), which waits for the attempt to end there.
 *
 * @param agent the agent's id on the hosting member (not qualified)
 * @param handler the handler name
 * @param attemptId the cluster-wide attempt id: the submitting member's name, a slash, and the
 *     runtime's {@code taskId#n}
 * @param idempotencyKey the task's idempotency key, or empty
 * @param deadlineEpochMillis the task's deadline, or 0 for none
 * @param attemptTimeoutMillis the attempt timeout, or 0 for none
 * @param origin the submitting member's name
 * @param payload the payload, encoded by the handler's payload codec
 */
@Proto
public record RemoteCall(
    String agent, String handler, String attemptId, String idempotencyKey, long deadlineEpochMillis,
    long attemptTimeoutMillis, String origin, byte[] payload)
    implements Function<EmbeddedCacheManager, RemoteResult> {

  @Override
  public RemoteResult apply(EmbeddedCacheManager manager) {
    CallHost host = CallHost.on(manager);
    if (host == null) {
      return RemoteResult.of(RemoteResult.LOST, "member " + manager.getAddress()
          + " runs no Agentry cluster (closed or not yet joined)");
    }
    return host.run(this);
  }
}

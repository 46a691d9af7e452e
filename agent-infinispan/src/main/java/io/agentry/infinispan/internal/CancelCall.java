package io.agentry.infinispan.internal;

import java.util.function.Function;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.protostream.annotations.Proto;

/**
 * A best-effort cancel of a remote attempt, sent to the member that hosts it when the submitting
 * runtime gives the attempt up.
 *
 * @param attemptId the cluster-wide attempt id
 */
@Proto
public record CancelCall(String attemptId) implements Function<EmbeddedCacheManager, Boolean> {

  @Override
  public Boolean apply(EmbeddedCacheManager manager) {
    CallHost host = CallHost.on(manager);
    return host != null && host.cancel(attemptId);
  }
}

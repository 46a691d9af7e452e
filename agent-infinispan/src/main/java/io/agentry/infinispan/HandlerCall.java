package io.agentry.infinispan;

import io.agentry.core.TaskContext;
import io.agentry.core.TaskWork;
import io.agentry.core.spi.Attempt;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The work of a remote task: a handler name and an encoded payload. A local agent runs it by calling
 * the handler of this JVM; a remote agent's backend sends it to the hosting member. Remote backends
 * accept only tasks whose work is of this class, so arbitrary lambdas never leave their JVM.
 */
final class HandlerCall<R extends @Nullable Object> implements TaskWork<R> {
  final NamedHandler<?, R> handler;
  final byte[] payload;

  HandlerCall(NamedHandler<?, R> handler, byte[] payload) {
    this.handler = handler;
    this.payload = payload;
  }

  @Override
  public R run(TaskContext ctx) throws Exception {
    return handler.run(payload, new LocalContext(handler.name(), ctx));
  }

  @Override
  public String toString() {
    return "HandlerCall[" + handler.name() + ", " + payload.length + " bytes]";
  }

  /** The context of a handler run by a local agent, over the runtime's own task context. */
  private record LocalContext(String handler, TaskContext ctx) implements HandlerContext {
    @Override
    public String attemptId() {
      return ctx.taskId() + "#" + ctx.attempt();
    }

    @Override
    public Optional<String> idempotencyKey() {
      // TaskContext does not carry the key; the runtime's context is also the Attempt, which does.
      return ctx instanceof Attempt attempt ? attempt.task().idempotencyKey() : Optional.empty();
    }

    @Override
    public String origin() {
      return "local";
    }

    @Override
    public Optional<Instant> deadline() {
      return ctx.deadline();
    }

    @Override
    public boolean isCancelled() {
      return ctx.isCancelled();
    }

    @Override
    public void heartbeat() {
      ctx.heartbeat();
    }
  }
}

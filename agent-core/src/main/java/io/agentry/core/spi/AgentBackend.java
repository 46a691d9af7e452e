package io.agentry.core.spi;

/**
 * How a non-local agent runs an attempt: for example, by sending it to another JVM. Local agents
 * need no backend (the runtime runs them on virtual threads).
 *
 * <p>{@link #start(Attempt)} must return at once; the attempt may end later, on any thread, through
 * {@link Attempt#succeeded} or {@link Attempt#failed}. So an agent whose attempts complete
 * asynchronously elsewhere fits without the dispatcher knowing.
 */
public interface AgentBackend {

  /**
   * Tells whether this backend can run a task at all (for example: a remote backend runs only tasks
   * whose work is a named handler call, never an arbitrary lambda). A task it cannot run never goes
   * to its agent. Called under the dispatch lock: fast, no blocking. The default accepts every task.
   *
   * @param task the task
   * @return {@code false} to make the agent ineligible for the task
   */
  default boolean canRun(io.agentry.core.Task<?> task) {
    return true;
  }

  /**
   * Starts an attempt. Must not block. Must arrange for exactly one report of the attempt's end,
   * including when it cannot start (report {@link Attempt#failed}) and after the runtime cancels it.
   *
   * @param attempt the attempt
   */
  void start(Attempt attempt);

  /**
   * Releases the backend's resources when its agent is removed or the runtime closes. The default does
   * nothing.
   */
  default void close() {}
}

package io.agentry.examples.guide;

import io.agentry.core.Task;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.ExecutionPolicy;
import java.time.Duration;
import java.util.function.Supplier;

/** Guide section "Retries: the execution policy". */
public final class PolicyGuide {

  private PolicyGuide() {}

  /**
   * Makes a task that is retried twice after a failure.
   *
   * @param callPartner the work
   * @return the task
   */
  public static Task<String> retried(Supplier<String> callPartner) {
    // tag::policy[]
    // Retries after 20 ms, then 40 ms, preferring an agent that has not failed the task yet.
    ExecutionPolicy upToThreeAttempts = report ->
        report.succeeded() || report.attempt() >= 3
            ? Decision.complete() // the result, or the last failure
            : Decision.retry(Duration.ofMillis(20L * report.attempt()));
    Task<String> call = Task.builder("call-partner", ctx -> callPartner.get())
        .policy(upToThreeAttempts)
        .build();
    // end::policy[]
    return call;
  }
}

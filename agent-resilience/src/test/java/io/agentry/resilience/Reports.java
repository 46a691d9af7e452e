package io.agentry.resilience;

import io.agentry.core.Task;
import io.agentry.core.spi.AttemptReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Builds the reports the runtime would give a policy, for tests that call the policy directly. */
final class Reports {
  static final Task<Object> TASK = Task.of("job", ctx -> "done");

  private Reports() {}

  static AttemptReport failed(int attempt, Throwable failure) {
    return failed(TASK, "t-1", attempt, failure, Duration.ofSeconds(attempt));
  }

  static AttemptReport failed(Task<?> task, String taskId, int attempt, Throwable failure,
      Duration elapsed) {
    return new AttemptReport(task, taskId, attempt, "a" + attempt, null, failure, agents(attempt),
        elapsed, Duration.ofMillis(10));
  }

  static AttemptReport succeeded(int attempt, @Nullable Object result) {
    return succeeded(TASK, "t-1", attempt, result, Duration.ofSeconds(attempt), Duration.ofMillis(10));
  }

  static AttemptReport succeeded(Task<?> task, String taskId, int attempt, @Nullable Object result,
      Duration elapsed, Duration attemptDuration) {
    return new AttemptReport(task, taskId, attempt, "a" + attempt, result, null, agents(attempt),
        elapsed, attemptDuration);
  }

  private static List<String> agents(int attempts) {
    List<String> tried = new ArrayList<>();
    for (int i = 1; i <= attempts; i++) {
      tried.add("a" + i);
    }
    return tried;
  }
}

package io.agentry.resilience.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Subscription;
import io.agentry.core.Task;
import io.agentry.core.TaskFailedException;
import io.agentry.core.TaskHandle;
import io.agentry.resilience.Backoff;
import io.agentry.resilience.CircuitBreakerConfig;
import io.agentry.resilience.CircuitBreakers;
import io.agentry.resilience.CircuitState;
import io.agentry.resilience.Hedging;
import io.agentry.resilience.ResiliencePolicy;
import io.agentry.resilience.RetriesExhaustedException;
import io.agentry.resilience.RetryBudget;
import io.agentry.resilience.RetryBudgetConfig;
import io.agentry.resilience.SlidingWindow;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The examples of the resilience chapter ({@code docs/resilience.md}) and of the javadoc
 * ({@code {@snippet}} regions): each region is copied verbatim there, and
 * {@code ResilienceDocTest} fails when the chapter shows Java that is not one of these regions. Each
 * example runs here, with only the exported packages.
 */
class ResilienceExamplesTest {
  private final AtomicInteger calls = new AtomicInteger();

  /** A remote call that fails the first two times. */
  private String fetchPrice() throws IOException {
    if (calls.incrementAndGet() < 3) {
      throw new IOException("connection reset");
    }
    return "42.00";
  }

  @Test
  void quickStart() {
    String price;
    // @start region="quick-start"
    ResiliencePolicy policy = ResiliencePolicy.builder()
        .maxAttempts(4)                                              // the first one included
        .backoff(Backoff.fullJitter(Duration.ofMillis(10), Duration.ofSeconds(2)))
        .attemptTimeout(Duration.ofSeconds(5))                       // one attempt
        .deadline(Duration.ofSeconds(30))                            // everything, retries included
        .budget(RetryBudget.ofDefaults())                            // no retry storms
        .build();
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("worker-1"))
        .agent(Agent.local("worker-2"))
        .policy(policy)                                              // every task's, by default
        .guard(CircuitBreakers.ofDefaults())                         // eject failing agents
        .build()) {
      price = runtime.submit(Task.of("fetch-price", ctx -> fetchPrice())).join();
    }
    // @end
    assertThat(price).isEqualTo("42.00");
    assertThat(calls).hasValue(3);
  }

  @Test
  void perTaskPolicy() {
    ResiliencePolicy runtimePolicy = ResiliencePolicy.ofDefaults();
    // @start region="policy"
    ResiliencePolicy payments = runtimePolicy.toBuilder()
        .maxAttempts(2)
        .retryOn(IOException.class)                        // only what is safe to repeat
        .abortOn(FileNotFoundException.class)              // never this one
        .backoff(Backoff.exponential(Duration.ofMillis(10), Duration.ofSeconds(1)))
        .build();
    Task<String> pay = Task.builder("pay", ctx -> charge("order-42"))
        .policy(payments)                                  // replaces the runtime's policy
        .build();
    // @end
    try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("a1"))
        .policy(runtimePolicy).build()) {
      assertThat(runtime.submit(pay).join()).isEqualTo("paid order-42");
    }
  }

  private String charge(String order) throws IOException {
    if (calls.incrementAndGet() == 1) {
      throw new IOException("gateway timeout");
    }
    return "paid " + order;
  }

  @Test
  void retryOnResults() {
    // @start region="retry-results"
    ResiliencePolicy polling = ResiliencePolicy.builder()
        .maxAttempts(5)
        .backoff(Backoff.fixed(Duration.ofMillis(5)))
        .retryIfResult("PENDING"::equals)                  // not done yet: ask again
        .build();
    // @end
    try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("a1")).policy(polling)
        .build()) {
      TaskHandle<String> job = runtime.submit(Task.of("status", ctx -> "PENDING"));
      // @start region="retries-exhausted"
      try {
        job.join();
      } catch (TaskFailedException e) {
        if (e.getCause() instanceof RetriesExhaustedException exhausted) {
          Object last = exhausted.lastResult();            // "PENDING", after 5 attempts
          assertThat(last).isEqualTo("PENDING");
        }
      }
      // @end
      assertThatThrownBy(job::join).cause().isInstanceOf(RetriesExhaustedException.class);
    }
  }

  @Test
  void backoffs() {
    // @start region="backoffs"
    Backoff none = Backoff.none();                                          // at once
    Backoff fixed = Backoff.fixed(Duration.ofMillis(200));                  // 200 ms every time
    Backoff exponential = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10));
    Backoff fullJitter = Backoff.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(10));
    Backoff decorrelated = Backoff.decorrelatedJitter(Duration.ofMillis(100), Duration.ofSeconds(10));
    // @end
    assertThat(List.of(none, fixed, exponential, fullJitter, decorrelated)).hasSize(5);
  }

  @Test
  void timeouts() {
    // @start region="timeouts"
    ResiliencePolicy timed = ResiliencePolicy.builder()
        .queueTimeout(Duration.ofSeconds(10))     // submission to the first start
        .attemptTimeout(Duration.ofSeconds(2))    // one attempt: interrupted, then retried
        .heartbeatTimeout(Duration.ofSeconds(1))  // silence allowed between ctx.heartbeat() calls
        .deadline(Duration.ofSeconds(20))         // submission to the end, retries included
        .build();
    Task<Integer> reindex = Task.of("reindex", ctx -> {
      int pages = 0;
      for (int page = 0; page < 1_000; page++) {
        pages++;              // ... one page of work ...
        ctx.heartbeat();      // still alive: the heartbeat timeout starts again
      }
      return pages;
    });
    // @end
    try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("a1")).policy(timed)
        .build()) {
      assertThat(runtime.submit(reindex).join()).isEqualTo(1_000);
    }
  }

  @Test
  void budget() {
    // @start region="budget"
    RetryBudget budget = RetryBudget.of(RetryBudgetConfig.builder()
        .ratio(0.1)                          // retries and hedges: at most 10% of recent attempts
        .minPerSecond(5)                     // plus 5 per second, so a quiet runtime still retries
        .window(Duration.ofSeconds(10))
        .build());
    ResiliencePolicy reads = ResiliencePolicy.builder().maxAttempts(3).budget(budget).build();
    ResiliencePolicy writes = ResiliencePolicy.builder().maxAttempts(2).budget(budget).build();
    // @end
    assertThat(reads.budget()).containsSame(budget);
    assertThat(writes.budget()).containsSame(budget);
  }

  @Test
  void circuitBreaking() {
    List<String> log = new CopyOnWriteArrayList<>();
    // @start region="circuit"
    CircuitBreakers breakers = CircuitBreakers.of(CircuitBreakerConfig.builder()
        .consecutiveFailures(5)                         // 5 failures in a row open it
        .failureRateThreshold(0.5)                      // or half of the last 20 attempts
        .slidingWindow(SlidingWindow.ofCount(20))
        .minimumAttempts(10)
        .waitInOpen(Duration.ofSeconds(30))             // ejected this long
        .halfOpenProbes(3)                              // then 3 probes must succeed
        .build());
    Subscription sub = breakers.onStateChange(change ->
        log.add(change.agentId() + ": " + change.from() + " -> " + change.to()
            + " (" + change.reason() + ")"));
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1")).agent(Agent.local("a2"))
        .guard(breakers)                                // one CircuitBreakers per runtime
        .policy(ResiliencePolicy.ofDefaults())          // retries fail over to other agents
        .build();
    Map<String, CircuitState> states = breakers.states(); // for metrics and health checks
    // @end
    try (runtime; sub) {
      assertThat(runtime.submit(Task.of("t", ctx -> "ok")).join()).isEqualTo("ok");
      assertThat(states).doesNotContainValue(CircuitState.OPEN);
      assertThat(log).isEmpty();
    }
  }

  @Test
  void hedging() {
    CountDownLatch slowReplica = new CountDownLatch(1);
    // @start region="hedging"
    ResiliencePolicy hedged = ResiliencePolicy.builder()
        .hedging(Hedging.after(Duration.ofMillis(20)))  // or Hedging.atPercentile(95)
        .budget(RetryBudget.ofDefaults())               // every hedge is charged to it
        .build();
    Task<String> read = Task.builder("read-replica", ctx -> {
      if (ctx.attempt() == 1) {
        slowReplica.await();                            // a slow replica; cancelled when the
      }                                                 // hedge on another agent wins
      return "row from " + ctx.agent();
    }).policy(hedged).build();
    // @end
    try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("a1"))
        .agent(Agent.local("a2")).build()) {
      TaskHandle<String> h = runtime.submit(read);
      assertThat(h.join()).startsWith("row from ");
      assertThat(h.outcome().orElseThrow().attempts()).isEqualTo(2);
    }
  }

  @Test
  void fallback() {
    // @start region="fallback"
    ResiliencePolicy withDefault = ResiliencePolicy.builder()
        .maxAttempts(2)
        .backoff(Backoff.none())
        .fallback(failure -> "price unavailable (" + failure.getMessage() + ")")
        .build();
    Task<String> price = Task.<String>builder("price", ctx -> {
      throw new UncheckedIOException(new IOException("pricing service down"));
    }).policy(withDefault).build();
    // @end
    try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      assertThat(runtime.submit(price).join()).startsWith("price unavailable");
    }
  }

  @Test
  void idempotency() {
    // @start region="idempotency"
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1"))
        .policy(ResiliencePolicy.ofDefaults())
        .resultCache(10_000, Duration.ofMinutes(10))   // recent successes, by key (the default)
        .build()) {
      Task<String> charge = Task.builder("charge", ctx -> "receipt-" + calls.incrementAndGet())
          .idempotencyKey("order-42")                   // same key: same execution, same result
          .build();
      String first = runtime.submit(charge).join();
      String again = runtime.submit(charge).join();   // answered from the cache: not charged twice
      assertThat(again).isEqualTo(first);
    }
    // @end
    assertThat(calls).hasValue(1);
  }
}

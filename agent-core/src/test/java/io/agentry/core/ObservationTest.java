package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.event.AgentAdded;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskCompleted;
import io.agentry.core.event.TaskRejected;
import io.agentry.core.event.TaskRetryScheduled;
import io.agentry.core.event.TaskSubmitted;
import io.agentry.core.spi.ContextPropagator;
import io.agentry.core.spi.Decision;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class ObservationTest {

  @Test
  void listenersSeeEachTaskFromSubmissionToCompletionInOrder() {
    List<RuntimeEvent> events = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder().name("obs").listener(events::add)
        .policy(r -> r.succeeded() || r.attempt() > 1 ? Decision.complete() : Decision.retry(Duration.ZERO))
        .agent(Agent.local("a1")).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("flaky", ctx -> {
        if (ctx.attempt() == 1) {
          throw new IllegalStateException("first");
        }
        return "ok";
      }));
      h.join();

      List<Class<?>> kinds = events.stream()
          .filter(e -> !(e instanceof AgentAdded)).<Class<?>>map(Object::getClass).toList();
      assertThat(kinds).containsExactly(TaskSubmitted.class, AttemptStarted.class,
          AttemptEnded.class, TaskRetryScheduled.class, AttemptStarted.class, AttemptEnded.class,
          TaskCompleted.class);
      assertThat(events).first().isInstanceOfSatisfying(AgentAdded.class,
          a -> assertThat(a.agent().id()).isEqualTo("a1"));
      assertThat(events).filteredOn(AttemptEnded.class::isInstance)
          .extracting(e -> ((AttemptEnded) e).status())
          .containsExactly(AttemptEnded.Status.FAILED, AttemptEnded.Status.SUCCEEDED);
      assertThat(events).last().isInstanceOfSatisfying(TaskCompleted.class, c -> {
        assertThat(c.runtime()).isEqualTo("obs");
        assertThat(c.taskId()).isEqualTo(h.id());
        assertThat(c.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(c.attempts()).isEqualTo(2);
        assertThat(c.lastAgentId()).contains("a1");
      });
    }
  }

  @Test
  void aThrowingListenerChangesNothing() {
    List<RuntimeEvent> seen = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder()
        .listener(e -> {
          throw new IllegalStateException("bad listener");
        })
        .listener(seen::add)
        .agent(Agent.local("a1")).build()) {
      assertThat(runtime.submit(Task.of("t", ctx -> 1)).join()).isEqualTo(1);
      assertThat(seen).anyMatch(TaskCompleted.class::isInstance);
    }
  }

  @Test
  void closingASubscriptionStopsEvents() {
    List<RuntimeEvent> seen = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      Subscription sub = runtime.subscribe(seen::add);
      runtime.submit(Task.of("t", ctx -> 1)).join();
      int before = seen.size();

      sub.close();
      runtime.submit(Task.of("t", ctx -> 1)).join();

      assertThat(before).isPositive();
      assertThat(seen).hasSize(before);
    }
  }

  @Test
  void aRejectionIsPublishedAfterTheSubmitsTheSameThreadMadeBeforeIt() {
    List<RuntimeEvent> seen = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder().listener(seen::add).shutdownGrace(Duration.ZERO)
        .queueCapacity(1).backpressure(Backpressure.REJECT).build()) { // no agent: close cancels
      runtime.submit(Task.of("first", ctx -> 1)); // no agent: it waits, and fills the queue
      try {
        runtime.submit(Task.of("second", ctx -> 2));
      } catch (RejectedTaskException expected) {
        // the queue is full
      }

      // a platform thread's submit is taken in by another thread, but by the time the rejection is
      // published the earlier submit is in and its event out, in the order they happened
      assertThat(seen).extracting(e -> e.getClass().getSimpleName())
          .containsExactly("TaskSubmitted", "TaskRejected");
      assertThat(((TaskSubmitted) seen.get(0)).taskName()).isEqualTo("first");
      assertThat(((TaskRejected) seen.get(1)).taskName()).isEqualTo("second");
    }
  }

  @Test
  void rejectionsAreEventsToo() {
    List<RuntimeEvent> seen = new CopyOnWriteArrayList<>();
    var runtime = AgentRuntime.builder().listener(seen::add).build();
    runtime.close();
    try {
      runtime.submit(Task.of("late", ctx -> 1));
    } catch (RejectedTaskException expected) {
      // counted below
    }
    assertThat(seen).filteredOn(TaskRejected.class::isInstance).singleElement()
        .satisfies(e -> assertThat(((TaskRejected) e).taskName()).isEqualTo("late"));
  }

  @Test
  void theSubmittersMdcAndTheTaskKeysAreSetInEveryAttempt() {
    List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder()
        .policy(r -> r.succeeded() || r.attempt() > 1 ? Decision.complete() : Decision.retry(Duration.ZERO))
        .agent(Agent.local("a1")).agent(Agent.local("a2")).build()) {
      MDC.put("requestId", "req-42");
      TaskHandle<String> h;
      try {
        h = runtime.submit(Task.of("logged", ctx -> {
          seen.add(MDC.getCopyOfContextMap());
          if (ctx.attempt() == 1) {
            throw new IllegalStateException("retry me");
          }
          return "ok";
        }));
      } finally {
        MDC.remove("requestId");
      }
      h.join();

      assertThat(seen).hasSize(2).allSatisfy(mdc -> {
        assertThat(mdc).containsEntry("requestId", "req-42");
        assertThat(mdc).containsEntry("agentry.task.id", h.id());
        assertThat(mdc).containsEntry("agentry.task.name", "logged");
      });
      assertThat(seen).extracting(m -> m.get("agentry.agent.id")).containsExactly("a1", "a2");
    }
  }

  @Test
  void registeredPropagatorsCarryTheirContextIntoAttempts() {
    ThreadLocal<String> tenant = new ThreadLocal<>();
    ContextPropagator<String> propagator = new ContextPropagator<>() {
      @Override
      public String capture() {
        return tenant.get();
      }

      @Override
      public Scope restore(String captured) {
        String previous = tenant.get();
        tenant.set(captured);
        return () -> tenant.set(previous);
      }
    };
    try (var runtime = AgentRuntime.builder().propagator(propagator).agent(Agent.local("a1")).build()) {
      tenant.set("acme");
      TaskHandle<String> h = runtime.submit(Task.of("t", ctx -> tenant.get()));
      tenant.remove();

      assertThat(h.join()).isEqualTo("acme");
    }
  }
}

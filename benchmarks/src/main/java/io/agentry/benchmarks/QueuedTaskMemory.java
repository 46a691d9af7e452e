package io.agentry.benchmarks;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Backpressure;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.Task;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap held per waiting task: a runtime with no agent, so every submission waits in the queue, gets
 * {@value #TASKS} submissions of one shared {@link Task}; the used heap after full collections is
 * compared before and after. The task object is shared, so the figure is the runtime's own overhead
 * per waiting task (handle, future, queue links, bookkeeping). Issue 2's target: at most 300 bytes.
 *
 * <p>Run with {@code java -cp benchmarks/target/benchmarks.jar io.agentry.benchmarks.QueuedTaskMemory}
 * (JVM flags such as {@code -Xmx} may be added; they are printed).
 */
public final class QueuedTaskMemory {
  /** Submissions that wait. */
  static final int TASKS = 1_000_000;
  /** Target from issue 2, bytes per waiting task beyond the task object. */
  static final long TARGET_BYTES = 300;

  private QueuedTaskMemory() {}

  /**
   * Runs the measurement and prints the figures.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    printJvm();
    Task<Integer> task = Task.of("waiting", ctx -> 42);
    AgentRuntime runtime = AgentRuntime.builder()
        .name("memory")
        .queueCapacity(1_100_000)
        .backpressure(Backpressure.REJECT)
        .shutdownGrace(Duration.ZERO)
        .build();
    try {
      // Load and run the submit path once so class initialisation is not counted.
      runtime.submit(task).cancel();

      long before = usedHeapAfterGc();
      for (int i = 0; i < TASKS; i++) {
        runtime.submit(task); // no agent: the run waits in the queue, which keeps it reachable
      }
      long after = usedHeapAfterGc();
      RuntimeSnapshot snapshot = runtime.snapshot();
      if (snapshot.queued() != TASKS) {
        throw new IllegalStateException("expected " + TASKS + " waiting tasks, found "
            + snapshot.queued());
      }
      double perTask = (double) (after - before) / TASKS;
      System.out.printf("waiting tasks:              %,d%n", snapshot.queued());
      System.out.printf("used heap before:           %,d bytes%n", before);
      System.out.printf("used heap after:            %,d bytes%n", after);
      System.out.printf("bytes per waiting task:     %.1f (target <= %d: %s)%n", perTask, TARGET_BYTES,
          perTask <= TARGET_BYTES ? "met" : "MISSED");
    } finally {
      long start = System.nanoTime();
      runtime.close(); // grace zero: cancels the waiting tasks
      System.out.printf("close (grace 0) took:       %d ms%n",
          Duration.ofNanos(System.nanoTime() - start).toMillis());
    }
  }

  /** Full collections until the used heap stops shrinking; returns the smallest reading. */
  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      best = Math.min(best, memory.getHeapMemoryUsage().getUsed());
    }
    return best;
  }

  private static void printJvm() {
    Runtime rt = Runtime.getRuntime();
    System.out.printf("JVM:                        %s %s (%s)%n", System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"));
    System.out.printf("processors:                 %d%n", rt.availableProcessors());
    System.out.printf("max heap:                   %,d MiB%n", rt.maxMemory() >> 20);
    System.out.printf("JVM arguments:              %s%n",
        ManagementFactory.getRuntimeMXBean().getInputArguments());
    List<String> gcs = new ArrayList<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcs.add(gc.getName());
    }
    System.out.printf("collectors:                 %s%n", gcs);
    HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    if (hotspot != null) {
      for (String option : List.of("UseCompressedOops", "UseCompressedClassPointers",
          "UseCompactObjectHeaders", "ObjectAlignmentInBytes")) {
        try {
          System.out.printf("%-28s%s%n", option + ":", hotspot.getVMOption(option).getValue());
        } catch (IllegalArgumentException e) {
          System.out.printf("%-28s(not in this JVM)%n", option + ":");
        }
      }
    }
  }
}

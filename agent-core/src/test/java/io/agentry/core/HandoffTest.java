package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The queue submits and attempt ends take to the dispatcher: order, no loss, no duplicate. */
class HandoffTest {
  static final class Item extends Handoff.Node {
    final int producer;
    final int n;

    Item(int producer, int n) {
      this.producer = producer;
      this.n = n;
    }
  }

  @Test
  void takesElementsInTheOrderTheyWereAdded() {
    Handoff<Item> q = new Handoff<>();
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.poll()).isNull();
    for (int i = 0; i < 5; i++) {
      q.add(new Item(0, i));
    }
    assertThat(q.isEmpty()).isFalse();
    for (int i = 0; i < 5; i++) {
      assertThat(q.poll().n).isEqualTo(i);
    }
    assertThat(q.poll()).isNull();
    assertThat(q.isEmpty()).isTrue();
    q.add(new Item(0, 5));
    assertThat(q.poll().n).isEqualTo(5);
    assertThat(q.isEmpty()).isTrue();
  }

  /**
   * Many producers, one consumer. Every add that returned before a drain began is taken by that
   * drain (the dispatcher's sections rely on it: a cancel must see a submit that happened before
   * it), each element exactly once, each producer's elements in order.
   */
  @Test
  void aDrainTakesEveryAddThatReturnedBeforeItUnderManyProducers() throws Exception {
    int producers = 4;
    int perProducer = 200_000;
    Handoff<Item> q = new Handoff<>();
    AtomicLong returned = new AtomicLong();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = startProducers(producers, go, id -> {
      for (int i = 0; i < perProducer; i++) {
        q.add(new Item(id, i));
        returned.incrementAndGet();
      }
    });
    int[] next = new int[producers];
    long taken = 0;
    List<String> violations = new ArrayList<>();
    AtomicInteger drains = new AtomicInteger();
    go.countDown();
    while (taken < (long) producers * perProducer) {
      long before = returned.get(); // adds that returned before this drain
      Item item;
      while ((item = q.poll()) != null) {
        if (item.n != next[item.producer]) {
          violations.add("producer " + item.producer + ": took " + item.n + ", expected "
              + next[item.producer]);
        }
        next[item.producer] = item.n + 1;
        taken++;
      }
      if (taken < before) {
        violations.add("a drain ended with " + taken + " taken, but " + before + " adds had returned");
      }
      drains.incrementAndGet();
      if (violations.size() > 10) {
        break;
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(violations).isEmpty();
    assertThat(taken).isEqualTo((long) producers * perProducer);
    assertThat(q.poll()).isNull();
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void addAllAddsABatchInOrder() {
    Handoff<Item> q = new Handoff<>();
    Item[] batch = {new Item(0, 0), new Item(0, 1), new Item(0, 2), null};
    q.addAll(batch, 0);
    assertThat(q.isEmpty()).isTrue();
    q.add(new Item(1, 0));
    q.addAll(batch, 3); // the array's slots past count are not read
    q.add(new Item(1, 1));
    assertThat(q.poll().producer).isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      assertThat(q.poll().n).isEqualTo(i);
    }
    assertThat(q.poll().n).isEqualTo(1);
    assertThat(q.poll()).isNull();
    assertThat(q.isEmpty()).isTrue();
  }

  /**
   * Producers adding batches of random sizes and single elements, one consumer: each element
   * exactly once, each producer's elements in order, none lost.
   */
  @Test
  void batchesAndSinglesFromManyProducersArriveOnceAndInOrder() throws Exception {
    int producers = 4;
    int perProducer = 200_000;
    Handoff<Item> q = new Handoff<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = startProducers(producers, go, id -> {
      java.util.Random random = new java.util.Random(id);
      int i = 0;
      Item[] batch = new Item[16];
      while (i < perProducer) {
        int size = Math.min(random.nextInt(17), perProducer - i);
        if (size <= 1) {
          q.add(new Item(id, i++));
          continue;
        }
        for (int k = 0; k < size; k++) {
          batch[k] = new Item(id, i++);
        }
        q.addAll(batch, size);
      }
    });
    int[] next = new int[producers];
    long taken = 0;
    List<String> violations = new ArrayList<>();
    go.countDown();
    while (taken < (long) producers * perProducer && violations.size() <= 10) {
      Item item = q.poll();
      if (item == null) {
        Thread.onSpinWait();
        continue;
      }
      if (item.n != next[item.producer]) {
        violations.add("producer " + item.producer + ": took " + item.n + ", expected "
            + next[item.producer]);
      }
      next[item.producer] = item.n + 1;
      taken++;
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(violations).isEmpty();
    assertThat(taken).isEqualTo((long) producers * perProducer);
    assertThat(q.poll()).isNull();
  }

  /** Starts platform threads that each wait for {@code go}, then run {@code body} with their id. */
  private static List<Thread> startProducers(int count, CountDownLatch go,
      java.util.function.IntConsumer body) {
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      int id = p;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        body.accept(id);
      }));
    }
    return threads;
  }
}

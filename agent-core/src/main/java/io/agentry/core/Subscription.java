package io.agentry.core;

/** A registration that can be undone: closing it removes the listener. Closing twice is harmless. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

  /** Removes the registration. */
  @Override
  void close();
}

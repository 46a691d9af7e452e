package io.agentry.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Finds the {@link VarHandle}s of the core's own fields (for release stores and atomic swaps). */
final class Handles {
  private Handles() {}

  /**
   * The handle of a field.
   *
   * @param lookup {@code MethodHandles.lookup()} called in the class that declares the field
   * @param owner the class that declares it
   * @param name its name
   * @param type its type
   * @return the handle
   * @throws ExceptionInInitializerError if there is no such field (a bug: called from static init)
   */
  static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
    try {
      return lookup.findVarHandle(owner, name, type);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}

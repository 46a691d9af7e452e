/**
 * Agentry's runnable examples: {@code QuickStart} (the README's main command) and the code of every
 * snippet in the user guide. They use only the packages that agent-core exports.
 */
module io.agentry.examples {
  requires io.agentry.core;
  requires org.slf4j;
}

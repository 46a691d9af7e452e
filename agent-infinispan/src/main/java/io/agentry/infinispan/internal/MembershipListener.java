package io.agentry.infinispan.internal;

import java.util.Objects;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;

/**
 * Infinispan's listener for view changes, merges and changes of the member metadata cache. It only
 * hands the news on; the callbacks must not block (they run on JGroups' or Infinispan's threads).
 * Infinispan calls its methods by reflection, so the class is public and its package is opened.
 */
@Listener(sync = false)
public final class MembershipListener {
  private final Runnable onViewChange;
  private final Runnable onMerge;
  private final Runnable onEntryChange;

  /**
   * Creates the listener.
   *
   * @param onViewChange runs after each view change
   * @param onMerge runs after a merge of split clusters
   * @param onEntryChange runs after an entry of the metadata cache changed
   */
  public MembershipListener(Runnable onViewChange, Runnable onMerge, Runnable onEntryChange) {
    this.onViewChange = Objects.requireNonNull(onViewChange, "onViewChange");
    this.onMerge = Objects.requireNonNull(onMerge, "onMerge");
    this.onEntryChange = Objects.requireNonNull(onEntryChange, "onEntryChange");
  }

  /**
   * Reacts to a view change.
   *
   * @param event the event
   */
  @ViewChanged
  public void viewChanged(ViewChangedEvent event) {
    onViewChange.run();
  }

  /**
   * Reacts to a merge.
   *
   * @param event the event
   */
  @Merged
  public void merged(MergeEvent event) {
    onMerge.run();
  }

  /**
   * Reacts to a change of a member's entry.
   *
   * @param event the event
   */
  @CacheEntryCreated
  @CacheEntryModified
  @CacheEntryRemoved
  public void entryChanged(CacheEntryEvent<?, ?> event) {
    if (!event.isPre()) {
      onEntryChange.run();
    }
  }
}

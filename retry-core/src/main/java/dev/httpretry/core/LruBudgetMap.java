package dev.httpretry.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The budgets of {@link RetryBudgets}, keyed by destination, that keeps at most a given number
 * and drops the least recently used first: a {@link ConcurrentHashMap} for lookups, and an
 * access-ordered, doubly linked list under a short lock for the use order, both O(1). Thread-safe.
 */
final class LruBudgetMap {

    private static final Comparator<DestinationBudget> LOWEST_FIRST = Comparator.comparingLong(DestinationBudget::available)
            .thenComparing(DestinationBudget::destination);

    private final int maxDestinations;

    private final ConcurrentHashMap<String, Node> nodes;

    /** Guards the list, {@link Node#linked} and {@link #count}; a lock, not a monitor, so virtual threads never pin. */
    private final ReentrantLock lock = new ReentrantLock();

    /** The sentinel of a circular list: {@code head.next} is the least recently used, {@code head.prev} the most. */
    private final Node head = new Node("", RetryBudget.unlimited());

    /** Written under the lock; read without it, to skip the lock for the destination used last. */
    private volatile @Nullable Node mostRecent;

    private int count;

    /**
     * A map that keeps at most {@code maxDestinations} budgets.
     * @param maxDestinations the most destinations kept, at least 1 (checked by the caller)
     * @param initialCapacity the initial capacity of the lookup map
     */
    LruBudgetMap(int maxDestinations, int initialCapacity) {
        this.maxDestinations = maxDestinations;
        this.nodes = new ConcurrentHashMap<>(initialCapacity);
        this.head.prev = this.head;
        this.head.next = this.head;
    }

    /**
     * The budget of a destination, made by {@code factory} if it is not kept yet (dropping the least
     * recently used destination when full), and marked as the most recently used.
     * @param key the destination
     * @param factory makes the budget of a new destination, under the lock
     * @return its budget
     */
    RetryBudget get(String key, Function<String, RetryBudget> factory) {
        Node node = this.nodes.get(key);
        if (node != null) {
            if (this.mostRecent != node) {
                this.lock.lock();
                try {
                    if (node.linked) {
                        moveToMostRecent(node);
                    }
                }
                finally {
                    this.lock.unlock();
                }
            }
            return node.budget;
        }
        return add(key, factory);
    }

    /**
     * The budget of the most recently used destination, when it was last looked up by these URI
     * parts, so that a client that calls one host finds it without building its key.
     * @return the budget, or {@code null} when these parts are not those of the most recent destination
     */
    @Nullable RetryBudget mostRecentFor(String scheme, String host, int port) {
        Node recent = this.mostRecent;
        if (recent != null) {
            Parts parts = recent.parts;
            if (parts != null && parts.matches(scheme, host, port)) {
                return recent.budget;
            }
        }
        return null;
    }

    /**
     * Remembers the URI parts that {@code budget} was just looked up by, if it is still the most
     * recently used destination's, for {@link #mostRecentFor(String, String, int)}.
     */
    void rememberParts(RetryBudget budget, String scheme, String host, int port) {
        Node found = this.mostRecent;
        if (found != null && found.budget == budget) {
            found.parts = new Parts(scheme, host, port);
        }
    }

    private RetryBudget add(String key, Function<String, RetryBudget> factory) {
        this.lock.lock();
        try {
            Node node = this.nodes.get(key);
            if (node != null) {
                moveToMostRecent(node);
                return node.budget;
            }
            RetryBudget budget = Objects.requireNonNull(factory.apply(key), () -> "The budget factory made null for " + key);
            if (this.count == this.maxDestinations) {
                Node eldest = this.head.next;
                unlink(eldest);
                this.nodes.remove(eldest.key, eldest);
                this.count--;
            }
            node = new Node(key, budget);
            linkMostRecent(node);
            this.nodes.put(key, node);
            this.count++;
            return budget;
        }
        finally {
            this.lock.unlock();
        }
    }

    private void moveToMostRecent(Node node) {
        if (this.head.prev != node) {
            unlink(node);
            linkMostRecent(node);
        }
        this.mostRecent = node;
    }

    private void linkMostRecent(Node node) {
        Node last = this.head.prev;
        node.prev = last;
        node.next = this.head;
        last.next = node;
        this.head.prev = node;
        node.linked = true;
        this.mostRecent = node;
    }

    private void unlink(Node node) {
        node.prev.next = node.next;
        node.next.prev = node.prev;
        node.prev = node;
        node.next = node;
        node.linked = false;
        if (this.mostRecent == node) {
            this.mostRecent = null;
        }
    }

    /**
     * The least budget left among the destinations kept, read one at a time, without marking any as used.
     * @return the least number of retries any destination would grant now, or empty when none is kept
     */
    OptionalLong leastAvailable() {
        long least = Long.MAX_VALUE;
        boolean any = false;
        for (Node node : this.nodes.values()) {
            least = Math.min(least, node.budget.available());
            any = true;
        }
        return any ? OptionalLong.of(least) : OptionalLong.empty();
    }

    /**
     * The destinations kept with their budget left, the lowest first (then by key), without marking
     * any as used.
     * @param limit the most entries returned, positive
     * @return an immutable list
     */
    List<DestinationBudget> snapshot(int limit) {
        List<DestinationBudget> all = new ArrayList<>(Math.min(this.nodes.size(), this.maxDestinations));
        for (Node node : this.nodes.values()) {
            all.add(new DestinationBudget(node.key, node.budget.available()));
        }
        all.sort(LOWEST_FIRST);
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    /** How many destinations are kept now. */
    int size() {
        return this.nodes.size();
    }

    /** The destinations in use order, least recently used first; for tests. */
    List<String> byRecency() {
        this.lock.lock();
        try {
            List<String> keys = new ArrayList<>(this.count);
            for (Node node = this.head.next; node != this.head; node = node.next) {
                keys.add(node.key);
            }
            return keys;
        }
        finally {
            this.lock.unlock();
        }
    }

    private record Parts(String scheme, String host, int port) {

        boolean matches(String scheme, String host, int port) {
            return this.port == port && this.host.equals(host) && this.scheme.equals(scheme);
        }
    }

    private static final class Node {

        final String key;

        final RetryBudget budget;

        Node prev = this;

        Node next = this;

        boolean linked;

        /** The URI parts this destination was last looked up by, so the same parts find it without building the key. */
        volatile @Nullable Parts parts;

        Node(String key, RetryBudget budget) {
            this.key = key;
            this.budget = budget;
        }
    }
}

package dev.httpretry.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * What a client keeps per destination (its budgets, its adaptive rates, its latencies), keyed by
 * destination, at most a given number of them, dropping the least recently used first: a
 * {@link ConcurrentHashMap} for lookups, and an access-ordered, doubly linked list under a short lock
 * for the use order, both O(1). The destination used last is found from its URI's parts without
 * building its key. Thread-safe.
 * @param <V> what is kept per destination
 */
final class LruDestinationMap<V> {

    private final int maxDestinations;

    private final ConcurrentHashMap<String, Node<V>> nodes;

    /** Guards the list, {@link Node#linked} and {@link #count}; a lock, not a monitor, so virtual threads never pin. */
    private final ReentrantLock lock = new ReentrantLock();

    /** The sentinel of a circular list: {@code head.next} is the least recently used, {@code head.prev} the most. */
    private final Node<V> head = new Node<>("", null);

    /** Written under the lock; read without it, to skip the lock for the destination used last. */
    private volatile @Nullable Node<V> mostRecent;

    private int count;

    /**
     * A map that keeps at most {@code maxDestinations} values.
     * @param maxDestinations the most destinations kept, at least 1 (checked by the caller)
     * @param initialCapacity the initial capacity of the lookup map
     */
    LruDestinationMap(int maxDestinations, int initialCapacity) {
        this.maxDestinations = maxDestinations;
        this.nodes = new ConcurrentHashMap<>(initialCapacity);
        this.head.prev = this.head;
        this.head.next = this.head;
    }

    /**
     * The value of a destination, made by {@code factory} if it is not kept yet (dropping the least
     * recently used destination when full), and marked as the most recently used.
     * @param key the destination
     * @param factory makes the value of a new destination, under the lock
     * @return its value
     */
    V get(String key, Function<String, V> factory) {
        Node<V> node = this.nodes.get(key);
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
            return node.value();
        }
        return add(key, factory);
    }

    /**
     * The value of the destination of these URI parts ({@link RetryBudgets#destination}), made by
     * {@code factory} if it is not kept yet; the destination used last is found without building its key.
     * @param scheme the URI's scheme
     * @param host the URI's host
     * @param port the URI's port, or -1
     * @param factory makes the value of a new destination, under the lock
     * @return its value
     */
    V get(String scheme, String host, int port, Function<String, V> factory) {
        V recent = mostRecentFor(scheme, host, port);
        if (recent != null) {
            return recent;
        }
        V value = get(RetryBudgets.destination(scheme, host, port), factory);
        rememberParts(value, scheme, host, port);
        return value;
    }

    /**
     * The value of the most recently used destination, when it was last looked up by these URI
     * parts, so that a client that calls one host finds it without building its key.
     * @return the value, or {@code null} when these parts are not those of the most recent destination
     */
    @Nullable V mostRecentFor(String scheme, String host, int port) {
        Node<V> recent = this.mostRecent;
        if (recent != null) {
            Parts parts = recent.parts;
            if (parts != null && parts.matches(scheme, host, port)) {
                return recent.value();
            }
        }
        return null;
    }

    /**
     * Remembers the URI parts that {@code value} was just looked up by, if it is still the most
     * recently used destination's, for {@link #mostRecentFor(String, String, int)}.
     */
    void rememberParts(V value, String scheme, String host, int port) {
        Node<V> found = this.mostRecent;
        if (found != null && found.value == value) {
            found.parts = new Parts(scheme, host, port);
        }
    }

    private V add(String key, Function<String, V> factory) {
        this.lock.lock();
        try {
            Node<V> node = this.nodes.get(key);
            if (node != null) {
                moveToMostRecent(node);
                return node.value();
            }
            V value = Objects.requireNonNull(factory.apply(key), () -> "The factory made null for " + key);
            if (this.count == this.maxDestinations) {
                Node<V> eldest = this.head.next;
                unlink(eldest);
                this.nodes.remove(eldest.key, eldest);
                this.count--;
            }
            node = new Node<>(key, value);
            linkMostRecent(node);
            this.nodes.put(key, node);
            this.count++;
            return value;
        }
        finally {
            this.lock.unlock();
        }
    }

    private void moveToMostRecent(Node<V> node) {
        if (this.head.prev != node) {
            unlink(node);
            linkMostRecent(node);
        }
        this.mostRecent = node;
    }

    private void linkMostRecent(Node<V> node) {
        Node<V> last = this.head.prev;
        node.prev = last;
        node.next = this.head;
        last.next = node;
        this.head.prev = node;
        node.linked = true;
        this.mostRecent = node;
    }

    private void unlink(Node<V> node) {
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
     * Each destination kept with its value, in no order; reading does not mark any as used.
     * @param action told of each
     */
    void forEach(BiConsumer<String, V> action) {
        for (Node<V> node : this.nodes.values()) {
            action.accept(node.key, node.value());
        }
    }

    int size() {
        return this.nodes.size();
    }

    /** The destinations in use order, least recently used first; for tests. */
    List<String> byRecency() {
        this.lock.lock();
        try {
            List<String> keys = new ArrayList<>(this.count);
            for (Node<V> node = this.head.next; node != this.head; node = node.next) {
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

    private static final class Node<V> {

        final String key;

        /** {@code null} only in the list's sentinel. */
        final @Nullable V value;

        Node<V> prev = this;

        Node<V> next = this;

        boolean linked;

        volatile @Nullable Parts parts;

        Node(String key, @Nullable V value) {
            this.key = key;
            this.value = value;
        }

        V value() {
            return Objects.requireNonNull(this.value, "the sentinel has no value");
        }
    }
}

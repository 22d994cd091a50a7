package dev.httpretry.core;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import org.jspecify.annotations.Nullable;

/**
 * Maps one exception (not its causes) to a {@link Category}, or {@code null} when it does not know
 * the type. {@link #classify(Throwable)} walks the whole cause chain, outermost first, and asks
 * the adapters' classifiers before the JDK's own types, so a library type that extends a JDK type
 * (Netty's {@code ConnectTimeoutException} is a {@code ConnectException}) is seen for what it is.
 *
 * <p>Implementations must be thread-safe and must not throw.
 */
@FunctionalInterface
public interface ExceptionClassifier {

    /** The cause chain is cut here, against cycles and pathological nesting. */
    int MAX_DEPTH = 32;

    /**
     * Classifies this exception alone, without looking at its cause.
     * @param error one link of a cause chain
     * @return its category, or {@code null} if unknown to this classifier
     */
    @Nullable Category categoryOf(Throwable error);

    /**
     * The JDK's own exception types: refused or unroutable connections, unknown hosts, timeouts,
     * resets and TLS failures. Any other {@link IOException} is only a fallback (see
     * {@link #classify(Throwable)}).
     * @return the classifier for {@code java.*} and {@code javax.*} types
     */
    static ExceptionClassifier jdk() {
        return error -> {
            if (error instanceof UnknownHostException) {
                return Category.DNS_FAILURE;
            }
            if (error instanceof ConnectException || error instanceof NoRouteToHostException
                    || error instanceof PortUnreachableException) {
                return Category.CONNECTION_REFUSED;
            }
            if (error instanceof SocketTimeoutException || error instanceof TimeoutException) {
                return Category.RESPONSE_TIMEOUT;
            }
            if (error instanceof SSLException) {
                return Category.UNKNOWN_ERROR;
            }
            // an I/O operation on a socket that was never connected (Netty fails a write to a channel
            // not yet active with it, before anything is written): nothing of the request went out
            if (error instanceof NotYetConnectedException) {
                return Category.CONNECTION_CLOSED_BEFORE_SEND;
            }
            if (error instanceof SocketException || error instanceof ClosedChannelException) {
                return Category.CONNECTION_RESET;
            }
            return null;
        };
    }

    /**
     * The first of these classifiers that knows an exception wins.
     * @param classifiers the classifiers, most specific first
     * @return a classifier that asks each in turn
     */
    static ExceptionClassifier firstOf(List<ExceptionClassifier> classifiers) {
        List<ExceptionClassifier> copy = List.copyOf(classifiers);
        return error -> {
            for (ExceptionClassifier classifier : copy) {
                Category category = classifier.categoryOf(error);
                if (category != null) {
                    return category;
                }
            }
            return null;
        };
    }

    /**
     * Classifies an exception by its whole cause chain (and suppressed exceptions are ignored): the
     * outermost link this classifier knows decides. If no link is known, an {@link IOException}
     * anywhere in the chain means {@link Category#IO_ERROR}, unless the chain also holds an
     * {@link IllegalArgumentException}: a request the client refused to send (a header value it does
     * not allow, say), which no retry changes, whatever I/O exception a client wraps it in. Anything
     * else is {@link Category#UNKNOWN_ERROR}.
     * @param error the exception as raised
     * @return its category, never {@code null}
     */
    default Category classify(Throwable error) {
        Objects.requireNonNull(error, "error");
        boolean io = false;
        boolean refused = false;
        for (Throwable link : causeChain(error)) {
            Category category = categoryOf(link);
            if (category != null) {
                return category;
            }
            io |= link instanceof IOException;
            refused |= link instanceof IllegalArgumentException;
        }
        return (io && !refused) ? Category.IO_ERROR : Category.UNKNOWN_ERROR;
    }

    /**
     * The exception and its causes, outermost first, without repeats and at most {@link #MAX_DEPTH} long.
     * @param error the outermost exception
     * @return the chain
     */
    static List<Throwable> causeChain(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable link = error; link != null && chain.size() < MAX_DEPTH && seen.add(link); link = link.getCause()) {
            chain.add(link);
        }
        return chain;
    }

    /**
     * The innermost cause of an exception (the exception itself when it has none).
     * @param error the outermost exception
     * @return the root cause
     */
    static Throwable rootCause(Throwable error) {
        List<Throwable> chain = causeChain(error);
        return chain.get(chain.size() - 1);
    }

    /**
     * The simple class name of an exception's root cause, as meters and traces tag it: a bounded
     * value, never a message.
     * @param error the outermost exception, or {@code null}
     * @return the name, or {@code none} for {@code null}
     */
    static String rootCauseName(@Nullable Throwable error) {
        if (error == null) {
            return "none";
        }
        Class<?> type = rootCause(error).getClass();
        String name = type.getSimpleName();
        return name.isEmpty() ? type.getName() : name;
    }
}

package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassificationTests {

    private static final RetryPolicy DEFAULTS = RetryPolicy.defaults();

    /** A library's connect timeout that extends a JDK type, as Netty's ConnectTimeoutException does. */
    static final class FakeConnectTimeout extends ConnectException {

        private static final long serialVersionUID = 1L;

        FakeConnectTimeout(String message) {
            super(message);
        }
    }

    /** A library's wrapper, as WebClientRequestException wraps transport errors. */
    static final class WrapperException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        WrapperException(Throwable cause) {
            super("request failed", cause);
        }
    }

    private static Category classify(Throwable error) {
        return DEFAULTS.classify(Outcome.failure(error));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "200, SUCCESS", "204, SUCCESS", "301, SUCCESS", "304, SUCCESS", "100, SUCCESS", "399, SUCCESS",
            "400, PERMANENT", "401, PERMANENT", "403, PERMANENT", "404, PERMANENT", "405, PERMANENT", "408, PERMANENT",
            "418, PERMANENT", "499, PERMANENT",
            "429, RATE_LIMITED",
            "500, SERVER_ERROR",
            "502, UNAVAILABLE", "503, UNAVAILABLE", "504, UNAVAILABLE",
            "501, PERMANENT", "505, PERMANENT", "599, PERMANENT", "999, PERMANENT",
    })
    void statusesUnderTheDefaultPolicy(int status, Category expected) {
        assertThat(DEFAULTS.classify(Outcome.response(status))).isEqualTo(expected);
        assertThat(DEFAULTS.classify(Outcome.response(status, "5"))).isEqualTo(expected);
    }

    @Test
    void configuredStatuses() {
        RetryPolicy policy = RetryPolicy.builder().statuses(Set.of(408, 502, 503)).build();
        assertThat(policy.classify(Outcome.response(408))).isEqualTo(Category.UNAVAILABLE);
        assertThat(policy.classify(Outcome.response(429))).isEqualTo(Category.PERMANENT);
        assertThat(policy.classify(Outcome.response(504))).isEqualTo(Category.PERMANENT);
        assertThat(policy.classify(Outcome.response(503))).isEqualTo(Category.UNAVAILABLE);
        // 500 does not depend on statuses
        assertThat(policy.classify(Outcome.response(500))).isEqualTo(Category.SERVER_ERROR);
        RetryPolicy none = RetryPolicy.builder().statuses(Set.of()).build();
        assertThat(none.classify(Outcome.response(503))).isEqualTo(Category.PERMANENT);
        assertThat(none.classify(Outcome.response(429))).isEqualTo(Category.PERMANENT);
        assertThat(none.classify(Outcome.response(200))).isEqualTo(Category.SUCCESS);
    }

    @Test
    void jdkExceptions() {
        assertThat(classify(new ConnectException("Connection refused"))).isEqualTo(Category.CONNECTION_REFUSED);
        assertThat(classify(new NoRouteToHostException())).isEqualTo(Category.CONNECTION_REFUSED);
        assertThat(classify(new PortUnreachableException())).isEqualTo(Category.CONNECTION_REFUSED);
        assertThat(classify(new UnknownHostException("nowhere.invalid"))).isEqualTo(Category.DNS_FAILURE);
        assertThat(classify(new SocketTimeoutException("Read timed out"))).isEqualTo(Category.RESPONSE_TIMEOUT);
        assertThat(classify(new TimeoutException())).isEqualTo(Category.RESPONSE_TIMEOUT);
        assertThat(classify(new SocketException("Connection reset"))).isEqualTo(Category.CONNECTION_RESET);
        assertThat(classify(new ClosedChannelException())).isEqualTo(Category.CONNECTION_RESET);
        assertThat(classify(new java.nio.channels.NotYetConnectedException())).isEqualTo(Category.CONNECTION_CLOSED_BEFORE_SEND);
        assertThat(classify(new IOException("Premature EOF"))).isEqualTo(Category.IO_ERROR);
        assertThat(classify(new SSLHandshakeException("PKIX path building failed"))).isEqualTo(Category.UNKNOWN_ERROR);
        assertThat(classify(new SSLException("bad record"))).isEqualTo(Category.UNKNOWN_ERROR);
        assertThat(classify(new IllegalStateException("bug"))).isEqualTo(Category.UNKNOWN_ERROR);
        assertThat(classify(new OutOfMemoryError())).isEqualTo(Category.UNKNOWN_ERROR);
    }

    @Test
    void jdkClassifierAloneKnowsOnlyItsTypes() {
        ExceptionClassifier jdk = ExceptionClassifier.jdk();
        assertThat(jdk.categoryOf(new ConnectException())).isEqualTo(Category.CONNECTION_REFUSED);
        assertThat(jdk.categoryOf(new IOException())).isNull();
        assertThat(jdk.categoryOf(new IllegalStateException())).isNull();
        // categoryOf looks at one link only
        assertThat(jdk.categoryOf(new RuntimeException(new ConnectException()))).isNull();
        assertThat(jdk.classify(new RuntimeException(new ConnectException()))).isEqualTo(Category.CONNECTION_REFUSED);
    }

    @Test
    void whetherTheServerMayHaveSeenTheRequest() {
        assertThat(classify(new ConnectException()).mayHaveReachedServer()).isFalse();
        assertThat(classify(new UnknownHostException()).mayHaveReachedServer()).isFalse();
        assertThat(classify(new SocketTimeoutException()).mayHaveReachedServer()).isTrue();
        assertThat(classify(new TimeoutException()).mayHaveReachedServer()).isTrue();
        assertThat(classify(new SocketException("Connection reset")).mayHaveReachedServer()).isTrue();
    }

    @ParameterizedTest(name = "{0}: transient={1}, mayHaveReachedServer={2}")
    @CsvSource({
            "SUCCESS, false, true", "PERMANENT, false, true", "RATE_LIMITED, true, true", "SERVER_ERROR, true, true",
            "UNAVAILABLE, true, true", "CONNECTION_REFUSED, true, false", "CONNECT_TIMEOUT, true, false",
            "DNS_FAILURE, true, false", "CONNECTION_CLOSED_BEFORE_SEND, true, false", "CONNECTION_RESET, true, true",
            "RESPONSE_TIMEOUT, true, true",
            "IO_ERROR, true, true", "LOCAL_SATURATION, false, false", "UNKNOWN_ERROR, false, true",
    })
    void categoryFlags(Category category, boolean isTransient, boolean mayHaveReachedServer) {
        assertThat(category.isTransient()).isEqualTo(isTransient);
        assertThat(category.mayHaveReachedServer()).isEqualTo(mayHaveReachedServer);
    }

    @Test
    void causeChainIsWalked() {
        Throwable deep = new RuntimeException("outer",
                new IllegalStateException("middle", new WrapperException(new ConnectException("Connection refused"))));
        assertThat(classify(deep)).isEqualTo(Category.CONNECTION_REFUSED);
        assertThat(classify(new WrapperException(new UnknownHostException()))).isEqualTo(Category.DNS_FAILURE);
        assertThat(classify(new WrapperException(new SSLHandshakeException("x")))).isEqualTo(Category.UNKNOWN_ERROR);
    }

    @Test
    void theOutermostKnownLinkDecides() {
        UnknownHostException outer = new UnknownHostException("outer");
        outer.initCause(new ConnectException("inner"));
        assertThat(classify(new WrapperException(outer))).isEqualTo(Category.DNS_FAILURE);
        SocketTimeoutException timeout = new SocketTimeoutException();
        timeout.initCause(new SocketException("Connection reset"));
        assertThat(classify(timeout)).isEqualTo(Category.RESPONSE_TIMEOUT);
    }

    /** A request the client refused to send, wrapped in an I/O exception by a RestClient factory, is not retried. */
    @Test
    void anIllegalArgumentUnderAnIoExceptionIsNotRetryable() {
        assertThat(classify(new IOException("Request failed", new IllegalArgumentException("a header value contains only spaces"))))
            .isEqualTo(Category.UNKNOWN_ERROR);
        assertThat(classify(new java.io.UncheckedIOException(new IOException(new NumberFormatException("port")))))
            .isEqualTo(Category.UNKNOWN_ERROR);
        // a known link still decides
        assertThat(classify(new IOException("wrapped", new IllegalArgumentException(new ConnectException("refused")))))
            .isEqualTo(Category.CONNECTION_REFUSED);
    }

    @Test
    void anIoExceptionAnywhereIsTheFallback() {
        assertThat(classify(new RuntimeException(new IOException("x")))).isEqualTo(Category.IO_ERROR);
        assertThat(classify(new IOException("outer", new IllegalStateException("inner")))).isEqualTo(Category.IO_ERROR);
        // a known link still wins over an IOException closer to the surface
        assertThat(classify(new IOException("outer", new ConnectException()))).isEqualTo(Category.CONNECTION_REFUSED);
    }

    @Test
    void aCauseCycleDoesNotLoopForever() {
        RuntimeException a = new RuntimeException("a");
        IllegalStateException b = new IllegalStateException("b", a);
        a.initCause(b);
        assertThat(classify(a)).isEqualTo(Category.UNKNOWN_ERROR);
        assertThat(ExceptionClassifier.causeChain(a)).containsExactly(a, b);
        assertThat(ExceptionClassifier.rootCause(a)).isSameAs(b);

        IOException io = new IOException("io");
        RuntimeException wrapper = new RuntimeException("wrapper", io);
        io.initCause(wrapper);
        assertThat(classify(wrapper)).isEqualTo(Category.IO_ERROR);
    }

    @Test
    void theChainIsCutAtMaxDepth() {
        assertThat(classify(nested(new ConnectException(), ExceptionClassifier.MAX_DEPTH - 1)))
                .isEqualTo(Category.CONNECTION_REFUSED);
        assertThat(classify(nested(new ConnectException(), ExceptionClassifier.MAX_DEPTH)))
                .isEqualTo(Category.UNKNOWN_ERROR);
        assertThat(ExceptionClassifier.causeChain(nested(new ConnectException(), 100))).hasSize(ExceptionClassifier.MAX_DEPTH);
        assertThat(ExceptionClassifier.causeChain(nested(new ConnectException(), ExceptionClassifier.MAX_DEPTH - 1)))
                .hasSize(ExceptionClassifier.MAX_DEPTH).last().isInstanceOf(ConnectException.class);
    }

    /** The error wrapped in {@code depth} RuntimeExceptions. */
    private static Throwable nested(Throwable error, int depth) {
        Throwable outer = error;
        for (int i = 0; i < depth; i++) {
            outer = new RuntimeException("level " + i, outer);
        }
        return outer;
    }

    @Test
    void causeChainAndRootCause() {
        ConnectException root = new ConnectException("root");
        IllegalStateException middle = new IllegalStateException("middle", root);
        RuntimeException outer = new RuntimeException("outer", middle);
        assertThat(ExceptionClassifier.causeChain(outer)).containsExactly(outer, middle, root);
        assertThat(ExceptionClassifier.rootCause(outer)).isSameAs(root);
        assertThat(ExceptionClassifier.causeChain(root)).containsExactly(root);
        assertThat(ExceptionClassifier.rootCause(root)).isSameAs(root);
    }

    @Test
    void suppressedExceptionsAreIgnored() {
        IllegalStateException error = new IllegalStateException("x");
        error.addSuppressed(new ConnectException());
        assertThat(classify(error)).isEqualTo(Category.UNKNOWN_ERROR);
    }

    @Test
    void customClassifierWinsOverJdkTypesForASubclass() {
        RetryPolicy policy = RetryPolicy.builder()
                .exceptionClassifier(error -> error instanceof FakeConnectTimeout ? Category.CONNECT_TIMEOUT : null)
                .build();
        assertThat(policy.classify(Outcome.failure(new FakeConnectTimeout("connect timed out"))))
                .isEqualTo(Category.CONNECT_TIMEOUT);
        assertThat(policy.classify(Outcome.failure(new WrapperException(new FakeConnectTimeout("x")))))
                .isEqualTo(Category.CONNECT_TIMEOUT);
        // what it does not know still goes to the JDK's classifier
        assertThat(policy.classify(Outcome.failure(new ConnectException()))).isEqualTo(Category.CONNECTION_REFUSED);
        assertThat(policy.classify(Outcome.failure(new IOException()))).isEqualTo(Category.IO_ERROR);
        // without the custom classifier the subclass is a refused connection
        assertThat(classify(new FakeConnectTimeout("x"))).isEqualTo(Category.CONNECTION_REFUSED);
    }

    @Test
    void customClassifierOnAnOuterLinkWinsOverAJdkTypeDeeper() {
        RetryPolicy policy = RetryPolicy.builder()
                .exceptionClassifier(error -> error instanceof WrapperException ? Category.LOCAL_SATURATION : null)
                .build();
        assertThat(policy.classify(Outcome.failure(new WrapperException(new ConnectException()))))
                .isEqualTo(Category.LOCAL_SATURATION);
    }

    @Test
    void firstOfAsksEachInTurn() {
        List<String> asked = new ArrayList<>();
        ExceptionClassifier first = error -> {
            asked.add("first");
            return error instanceof IllegalStateException ? Category.LOCAL_SATURATION : null;
        };
        ExceptionClassifier second = error -> {
            asked.add("second");
            return Category.IO_ERROR;
        };
        List<ExceptionClassifier> classifiers = new ArrayList<>(List.of(first, second));
        ExceptionClassifier combined = ExceptionClassifier.firstOf(classifiers);
        classifiers.clear(); // firstOf copied the list
        assertThat(combined.categoryOf(new IllegalStateException())).isEqualTo(Category.LOCAL_SATURATION);
        assertThat(asked).containsExactly("first");
        assertThat(combined.categoryOf(new IllegalArgumentException())).isEqualTo(Category.IO_ERROR);
        assertThat(asked).containsExactly("first", "first", "second");
        assertThat(ExceptionClassifier.firstOf(List.of(error -> null)).categoryOf(new IOException())).isNull();
        assertThat(ExceptionClassifier.firstOf(List.of()).categoryOf(new IOException())).isNull();
    }

    @Test
    void nullErrorIsRejected() {
        assertThatNullPointerException().isThrownBy(() -> ExceptionClassifier.jdk().classify(null)).withMessage("error");
        assertThatNullPointerException().isThrownBy(() -> Outcome.failure(null)).withMessage("error");
    }
}

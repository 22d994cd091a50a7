package dev.httpretry.core;

import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The JDK HttpClient's own timeouts, as a RestClient on the JDK request factory raises them. */
class ClientLibraryExceptionClassifierTests {

    private final ExceptionClassifier classifier = ExceptionClassifier.firstOf(
            java.util.List.of(ClientLibraryExceptionClassifier.INSTANCE, ExceptionClassifier.jdk()));

    @Test
    void aResponseTimeoutOfTheJdkClientIsAResponseTimeout() {
        assertThat(this.classifier.classify(new HttpTimeoutException("request timed out"))).isEqualTo(Category.RESPONSE_TIMEOUT);
        assertThat(this.classifier.classify(new IOException("I/O error", new HttpTimeoutException("request timed out"))))
            .isEqualTo(Category.RESPONSE_TIMEOUT);
    }

    @Test
    void aConnectTimeoutOfTheJdkClientStaysAConnectTimeout() {
        assertThat(this.classifier.classify(new HttpConnectTimeoutException("connect timed out"))).isEqualTo(Category.CONNECT_TIMEOUT);
    }
}

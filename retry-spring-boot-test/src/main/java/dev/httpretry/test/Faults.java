package dev.httpretry.test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.List;
import java.util.Map;

import dev.httpretry.client.RetryRequests;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/** What the WebClient and RestClient faults share: the client of a request, the errors, the headers. */
final class Faults {

    private Faults() {
    }

    /** The client a request retries under, as the retry layer names it on each attempt under test. */
    static @Nullable String clientOf(Map<String, Object> attributes) {
        return (attributes.get(RetryRequests.ATTRIBUTE) instanceof String name) ? name : null;
    }

    /** The error of a fault that fails the request, as the connectors raise it; {@code null} for one that does not. */
    static @Nullable IOException error(FaultInjector.Fault fault) {
        if (fault instanceof FaultInjector.Fault.RefuseConnection) {
            return new ConnectException("Connection refused (injected by FaultInjector)");
        }
        if (fault instanceof FaultInjector.Fault.Reset) {
            return new SocketException("Connection reset (injected by FaultInjector)");
        }
        return null;
    }

    /** The headers of a canned response. */
    static void addHeaders(FaultInjector.Fault.Respond respond, HttpHeaders headers) {
        List<String> pairs = respond.headers();
        for (int i = 0; i < pairs.size(); i += 2) {
            headers.add(pairs.get(i), pairs.get(i + 1));
        }
    }
}

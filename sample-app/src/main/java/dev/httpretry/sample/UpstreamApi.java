package dev.httpretry.sample;

import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.service.annotation.GetExchange;

/**
 * The {@link FlakyUpstream} as an HTTP service interface, for the {@code mvc} profile's HTTP service
 * groups ({@link MvcDemoConfiguration}). Its base URL is the group's
 * {@code spring.http.serviceclient.<group>.base-url}.
 */
public interface UpstreamApi {

    /**
     * {@code GET /resource}: answers as the parameters ask.
     * @param params the scenario's parameters and the demo run's id
     * @return the response, a {@code 2xx}; any other status is thrown as a {@code RestClientResponseException}
     */
    @GetExchange("/resource")
    ResponseEntity<Void> resource(@RequestParam Map<String, String> params);
}

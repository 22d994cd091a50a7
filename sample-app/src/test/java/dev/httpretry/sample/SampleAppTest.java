package dev.httpretry.sample;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;

/**
 * The sample as the default run starts it (WebFlux), on a random port, with a reduced demonstration
 * that runs only when asked: every test class with this annotation shares one application context.
 * The upstream's random generator is seeded.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "sample.demo.on-startup=false",
        "sample.demo.calls=20",
        "sample.demo.fail=0.5",
        "sample.demo.mode=error",
        "sample.demo.delay-ms=0",
        "sample.demo.progress-every=10",
        "sample.upstream.seed=7",
        // Several demonstrations run within one 10-second budget window: keep the budgets out of the way.
        "http.retry.budget.min-retries-per-second=1000" })
@AutoConfigureWebTestClient
@interface SampleAppTest {
}

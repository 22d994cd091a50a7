package dev.httpretry.starter.contexts;

/** The suite's class 3: the three-attempts context, reused. */
class Cached3ThreeAttemptsTests extends ThreeAttemptsApp {

    /** This class reuses the context an earlier class of the suite started, which Spring paused meanwhile. */
    @org.junit.jupiter.api.Test
    void itsContextWasPausedAndRestarted() {
        org.assertj.core.api.Assertions.assertThat(this.pauses.paused).as("paused").hasPositiveValue();
        org.assertj.core.api.Assertions.assertThat(this.pauses.restarted).as("restarted").hasPositiveValue();
    }
}

package dev.httpretry.starter.contexts;

/** The suite's class 1: the three-attempts context, first use. */
class Cached1ThreeAttemptsTests extends ThreeAttemptsApp {
}

package dev.httpretry.starter.contexts;

/** The suite's class 2: the five-attempts context, first use. */
class Cached2FiveAttemptsTests extends FiveAttemptsApp {
}

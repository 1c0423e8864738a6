package dev.offload.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of an {@link OffloadTest} class that configures the test's Offload before it is
 * built: it takes one {@code Offload.Builder} and registers handlers, queues, schedules, listeners.
 * It may be static or not, and is called for every test (superclass methods first). The kit sets
 * the store and the clock itself, after these methods run.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OffloadSetup {}

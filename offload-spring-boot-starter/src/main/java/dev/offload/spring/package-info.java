/**
 * The Spring Boot starter: {@link dev.offload.spring.OffloadAutoConfiguration} builds an {@link
 * dev.offload.Offload} bean from the application's DataSource and {@code offload.*} properties
 * ({@link dev.offload.spring.OffloadProperties}), registers {@link dev.offload.spring.OffloadJob}
 * handler beans, lets enqueue join {@code @Transactional} methods, and adds health, metrics, an
 * actuator endpoint and the API and dashboard under {@code offload.web.path}. See {@code
 * docs/spring.md}.
 */
package dev.offload.spring;

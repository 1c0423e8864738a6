package dev.offload.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Puts the test kit ({@code dev.offload:offload-test}) in a {@code @SpringBootTest}: the
 * application's {@code Offload} bean is replaced by one without workers on a temporary SQLite file
 * (or a fresh PostgreSQL schema), with the application's {@link OffloadJob} handler beans and a
 * {@link dev.offload.test.TestClock}; a {@link dev.offload.test.TestOffload} bean gives the test
 * {@code drain()}, {@code runNext()}, the clock and the assertions.
 *
 * <pre>{@code
 * @SpringBootTest(properties = "offload.test.mode=manual")
 * @AutoConfigureOffloadTest
 * class SignUpTest {
 *   @Autowired SignUpService signUp;
 *   @Autowired TestOffload offload;
 *
 *   @Test
 *   void aWelcomeEmailIsEnqueued() {
 *     signUp.signUp("ada@example.com");
 *     offload.assertEnqueued("emails.send", new Email("ada@example.com", "Welcome"));
 *   }
 * }
 * }</pre>
 *
 * <p>{@code offload.test.mode} is {@code inline} (default), {@code manual} or {@code fake}, as
 * {@link dev.offload.test.OffloadTest.Mode}; {@code offload.test.store} is {@code sqlite} (default)
 * or {@code postgres}. The workers stay off ({@code offload.worker.enabled=false}). Each test
 * method gets a context of its own (the annotation implies {@code @DirtiesContext} after each
 * method), so no test sees another's jobs.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(OffloadTestConfiguration.class)
@TestPropertySource(properties = "offload.worker.enabled=false")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
public @interface AutoConfigureOffloadTest {}

package dev.offload.test;

import dev.offload.Offload;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The JUnit 5 extension behind {@link OffloadTest}: builds a {@link TestOffload} before each test
 * (after calling the class's {@link OffloadSetup} methods), injects it, its {@code Offload} and its
 * {@link TestClock} as parameters, and closes it after the test. Register it with
 * {@code @OffloadTest}, not directly.
 */
public final class OffloadExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(OffloadExtension.class);
  private static final String KEY = "offload";

  /** Created by JUnit for {@link OffloadTest}. */
  public OffloadExtension() {}

  @Override
  public void beforeEach(ExtensionContext context) {
    OffloadTest settings = settings(context);
    Object instance = context.getRequiredTestInstance();
    List<Method> setups = setupMethods(context.getRequiredTestClass());
    TestOffload offload =
        TestOffload.create(
            settings.mode(),
            settings.store(),
            builder -> {
              for (Method m : setups) {
                invoke(m, Modifier.isStatic(m.getModifiers()) ? null : instance, builder);
              }
            });
    context.getStore(NAMESPACE).put(KEY, offload);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestOffload offload = context.getStore(NAMESPACE).remove(KEY, TestOffload.class);
    if (offload != null) {
      offload.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestOffload.class || type == Offload.class || type == TestClock.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestOffload offload = context.getStore(NAMESPACE).get(KEY, TestOffload.class);
    if (offload == null) {
      throw new ParameterResolutionException(
          "the test's Offload exists from @BeforeEach to @AfterEach: it cannot be injected into "
              + parameter.getDeclaringExecutable());
    }
    Class<?> type = parameter.getParameter().getType();
    if (type == Offload.class) {
      return offload.offload();
    }
    return type == TestClock.class ? offload.clock() : offload;
  }

  private static OffloadTest settings(ExtensionContext context) {
    return context
        .getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, OffloadTest.class))
        .or(() ->
            AnnotationSupport.findAnnotation(context.getRequiredTestClass(), OffloadTest.class))
        .orElseThrow(() ->
            new ExtensionConfigurationException(
                "OffloadExtension is registered by @OffloadTest, which "
                    + context.getRequiredTestClass().getName()
                    + " lacks"));
  }

  /** The {@link OffloadSetup} methods of {@code type}, superclasses' first. */
  private static List<Method> setupMethods(Class<?> type) {
    List<Method> methods =
        new ArrayList<>(
            AnnotationSupport.findAnnotatedMethods(
                type, OffloadSetup.class, HierarchyTraversalMode.TOP_DOWN));
    for (Method m : methods) {
      if (m.getParameterCount() != 1 || m.getParameterTypes()[0] != Offload.Builder.class) {
        throw new ExtensionConfigurationException(
            "@OffloadSetup method " + m + " must take exactly one parameter, an Offload.Builder");
      }
    }
    return Collections.unmodifiableList(methods);
  }

  private static void invoke(Method m, Object instance, Offload.Builder builder) {
    try {
      m.setAccessible(true);
      m.invoke(instance, builder);
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new ExtensionConfigurationException("@OffloadSetup method " + m + " failed", cause);
    }
  }
}

package dev.offload.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * "The engine never writes SQL, a store never decides policy", and the sealed surface (one public
 * entry into the engine, no public mutable statics), kept true by the build.
 */
@AnalyzeClasses(packages = "dev.offload", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule engineWritesNoSql =
      noClasses()
          .that()
          .resideInAPackage("dev.offload.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("java.sql..")
          .because(
              "SQL belongs to the stores; the engine talks to them through dev.offload.store.Store");

  @ArchTest
  static final ArchRule storeSpiHasNoPolicy =
      noClasses()
          .that()
          .resideInAPackage("dev.offload.store..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.offload.engine..")
          .orShould()
          .dependOnClassesThat()
          .haveSimpleName("RetryPolicy")
          .because(
              "a store persists what the engine decided; backoff and retries are the engine's");

  @ArchTest
  static final ArchRule coreKnowsNoStoreImplementation =
      noClasses()
          .that()
          .resideInAPackage("dev.offload..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.postgresql..", "org.sqlite..", "com.zaxxer..")
          .because("core runs on any store; drivers live in their own modules");

  @ArchTest
  static final ArchRule engineHasOneEntry =
      classes()
          .that()
          .resideInAPackage("dev.offload.engine")
          .and()
          .areTopLevelClasses()
          .and()
          .arePublic()
          .should()
          .haveSimpleName("Node")
          .because(
              "the façade reaches the engine through Node; everything else in it is package-private");

  @ArchTest
  static final ArchRule onlyTheFacadeEntersTheEngine =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.offload.engine")
          .and()
          .doNotHaveFullyQualifiedName("dev.offload.Offload")
          .and()
          .doNotHaveFullyQualifiedName("dev.offload.Offload$Builder")
          .and()
          .doNotHaveFullyQualifiedName("dev.offload.Schedule$Schedules")
          .and()
          .doNotHaveFullyQualifiedName("dev.offload.OffloadAssembly")
          .and()
          .doNotHaveFullyQualifiedName("dev.offload.Enqueuing")
          .and()
          .doNotHaveFullyQualifiedName("dev.offload.Awaiting")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.offload.engine")
          .because(
              "the API and the store SPI never depend on the engine; the façade (Offload, its builder, its "
                  + "schedules view, and the package-private classes Offload hands its work to) reaches it "
                  + "through Node");

  @ArchTest
  static final ArchRule noPublicMutableStatics =
      fields()
          .that()
          .areStatic()
          .and()
          .arePublic()
          .should()
          .beFinal()
          .andShould()
          .haveRawType(
              DescribedPredicate.describe(
                  "a constant type (primitive, String, enum, Duration or Instant)",
                  type ->
                      type.isPrimitive()
                          || type.isEnum()
                          || type.isEquivalentTo(String.class)
                          || type.isEquivalentTo(java.time.Duration.class)
                          || type.isEquivalentTo(java.time.Instant.class)))
          .because(
              "a public static must be a constant, never shared state such as an ObjectMapper");
}

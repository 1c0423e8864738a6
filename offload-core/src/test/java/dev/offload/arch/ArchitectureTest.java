package dev.offload.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** "The engine never writes SQL, a store never decides policy", kept true by the build. */
@AnalyzeClasses(packages = "dev.offload", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule engineWritesNoSql =
      noClasses().that().resideInAPackage("dev.offload.engine..")
          .should().dependOnClassesThat().resideInAPackage("java.sql..")
          .because("SQL belongs to the stores; the engine talks to them through dev.offload.store.Store");

  @ArchTest
  static final ArchRule storeSpiHasNoPolicy =
      noClasses().that().resideInAPackage("dev.offload.store..")
          .should().dependOnClassesThat().resideInAPackage("dev.offload.engine..")
          .orShould().dependOnClassesThat().haveSimpleName("RetryPolicy")
          .because("a store persists what the engine decided; backoff and retries are the engine's");

  @ArchTest
  static final ArchRule coreKnowsNoStoreImplementation =
      noClasses().that().resideInAPackage("dev.offload..")
          .should().dependOnClassesThat().resideInAnyPackage("org.postgresql..", "org.sqlite..", "com.zaxxer..")
          .because("core runs on any store; drivers live in their own modules");
}

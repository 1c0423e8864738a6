package dev.offload.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The server is a client of the public API: it sees {@code dev.offload}, never the engine or the
 * store SPI.
 */
@AnalyzeClasses(
    packages = "dev.offload.server",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ServerArchitectureTest {

  @ArchTest
  static final ArchRule seesOnlyThePublicApi =
      noClasses()
          .that()
          .resideInAPackage("dev.offload.server..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.offload.engine..", "dev.offload.store..", "java.sql..")
          .because("the server must work on any Offload, with any store, through the public API");

  @ArchTest
  static final ArchRule onlyTheEntryPointsArePublic =
      classes()
          .that()
          .resideInAPackage("dev.offload.server")
          .and()
          .arePublic()
          .should()
          .haveSimpleName("OffloadServer")
          .orShould()
          .haveSimpleName("OffloadMetrics")
          .orShould()
          .haveSimpleName("Builder")
          .because("everything else is an implementation detail (STYLE.md: few public types)");
}

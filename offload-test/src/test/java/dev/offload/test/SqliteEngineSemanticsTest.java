package dev.offload.test;

import dev.offload.test.OffloadTest.Mode;
import dev.offload.test.OffloadTest.StoreType;

@OffloadTest(mode = Mode.MANUAL, store = StoreType.SQLITE)
class SqliteEngineSemanticsTest extends EngineSemanticsContract {}

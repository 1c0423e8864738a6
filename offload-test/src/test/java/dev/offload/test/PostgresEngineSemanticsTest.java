package dev.offload.test;

import dev.offload.test.OffloadTest.Mode;
import dev.offload.test.OffloadTest.StoreType;

@OffloadTest(mode = Mode.MANUAL, store = StoreType.POSTGRES)
class PostgresEngineSemanticsTest extends EngineSemanticsContract {}

// Fuzz run of the gar source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { createGarTarget } from './fuzz-targets.ts'

fuzzSource(await createGarTarget(), 0x70344e41)

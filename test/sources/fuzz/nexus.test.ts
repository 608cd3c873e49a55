// Fuzz run of the nexus source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { nexusTarget } from './fuzz-targets.ts'

fuzzSource(nexusTarget, 0x2d7eaddd)

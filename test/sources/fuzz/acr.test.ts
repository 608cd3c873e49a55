// Fuzz run of the acr source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { acrTarget } from './fuzz-targets.ts'

fuzzSource(acrTarget, 0x468f5071)

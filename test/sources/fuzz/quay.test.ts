// Fuzz run of the quay source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { quayTarget } from './fuzz-targets.ts'

fuzzSource(quayTarget, 0xf5c22120)

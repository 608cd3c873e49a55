// Fuzz run of the distribution source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { distributionTarget } from './fuzz-targets.ts'

fuzzSource(distributionTarget, 0xa4483781)

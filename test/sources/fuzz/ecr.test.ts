// Fuzz run of the ecr source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { ecrTarget } from './fuzz-targets.ts'

fuzzSource(ecrTarget, 0x4186f8ad)

// Fuzz run of the harbor source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { harborTarget } from './fuzz-targets.ts'

fuzzSource(harborTarget, 0x273c6248)

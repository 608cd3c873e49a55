// Fuzz run of the github source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { gitHubTarget } from './fuzz-targets.ts'

fuzzSource(gitHubTarget, 0x637cabe9)

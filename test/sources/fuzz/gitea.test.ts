// Fuzz run of the gitea source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { giteaTarget } from './fuzz-targets.ts'

fuzzSource(giteaTarget, 0xdad9ea69)

// Fuzz run of the artifactory source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { artifactoryTarget } from './fuzz-targets.ts'

fuzzSource(artifactoryTarget, 0x0cd0457f)

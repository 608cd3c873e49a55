// Fuzz run of the dockerhub source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { dockerHubTarget } from './fuzz-targets.ts'

fuzzSource(dockerHubTarget, 0x11f45885)

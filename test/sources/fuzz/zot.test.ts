// Fuzz run of the zot source through the app (see fuzz-harness.ts); the seed makes it replayable.
import { fuzzSource } from './fuzz-harness.ts'
import { zotTarget } from './fuzz-targets.ts'

fuzzSource(zotTarget, 0x132af6d9)

import { createMemoryStore } from '../../src/state/memory-store.ts'
import { describeStoreContract } from './store-contract.ts'

describeStoreContract('memory store', (now) => createMemoryStore({ now }))

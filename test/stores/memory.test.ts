/** The memory store keeps the same contract as the stores that share their data across processes. */
import { memoryStore } from '../../src/stores/memory';
import { storeContract } from './contract';

const store = memoryStore();
storeContract('memoryStore', () => ({ stores: [store] }));

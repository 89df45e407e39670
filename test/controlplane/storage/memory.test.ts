import test from 'ava';
import { MemoryStore } from '../../../controlplane/storage/memory/store.js';
import { conformance } from './conformance.js';

conformance(test, { name: 'memory', open: async () => new MemoryStore() });

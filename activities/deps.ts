import type { ObjectStore } from '../src/storage/object-store.js';

/** What activities are built from: injected, so tests and deployments choose the real parts. */
export interface ActivityDeps {
  store: ObjectStore;
}

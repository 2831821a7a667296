import type { ObjectStore } from '../src/storage/object-store.js';

/** Signals a model's refresh workflow (signal-with-start); injected so activities need no client of their own. */
export type SignalVersion = (request: { model: string; dataset: string; version: number }) => Promise<void>;

/** What activities are built from: injected, so tests and deployments choose the real parts. */
export interface ActivityDeps {
  store: ObjectStore;
  /** Present on control workers: the store watcher uses it to hand new versions to the model workflow. */
  signalVersion?: SignalVersion;
}

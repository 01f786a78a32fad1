// Local state of every cluster sealts manages: see store.ts for the layout.
export { writeFileAtomic, type AtomicWriteOptions } from './atomic.js';
export { type Lock } from './lock.js';
export { emptyState, parseState, STATE_SCHEMA_VERSION, type HostState, type StateFile } from './schema.js';
export { ClusterState, listClusters, newRunId, openState, resolveClusterName, sealtsHome, validateClusterName } from './store.js';
export { clusterKnownHosts, type ClusterKnownHosts } from './known-by.js';

// Public surface of pkg/rootfs: build, load (verify locally), push + verify on hosts, run its scripts.
export type { Manifest, ManifestFile, RootfsRole } from './manifest.js';
export { MANIFEST_FILE, readManifest, verifyDir, computeManifest, filesFor } from './manifest.js';
export { buildRootfs, DEFAULT_SKELETON, REQUIRED_BINARIES, CONTAINERD_COMPANIONS, hostArch, type BuildOptions } from './build.js';
export { checkExecutables, executableKind, reportedVersion, KUBE_VERSION_ARGS, type Executable } from './check.js';
export { skeletonAt, skeletonMessage, SKELETON_FILES, BUILD_HINT, type Skeleton } from './skeleton.js';
export { loadRootfs, type LoadedRootfs } from './load.js';
export { pushRootfs, verifyOnHost, assertRootfsIntact, runInitScript, runCleanScript, REMOTE_ROOTFS, type PushOutcome } from './push.js';
export { describeRootfs, summaryText, type RootfsSummary } from './describe.js';
export { hasLocalImages, IMAGE_REFS, assertBinaryVersions, missingRealPiece, HOST_BINARIES, CNI_PLUGINS } from './real-content.js';
export { codecFor, transferBytes, type Codec } from './payload.js';
export { Relay, pickSeeds, RELAY_THRESHOLD, RELAY_SEEDS, RELAY_TTL_S } from './relay.js';
export { distributeRootfs, type TargetHost, type DistributeOptions } from './distribute.js';

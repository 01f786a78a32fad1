// Public surface of pkg/rootfs: build, load (verify locally), push + verify on hosts, run its scripts.
export type { Manifest, ManifestFile } from './manifest.js';
export { MANIFEST_FILE, readManifest, verifyDir, computeManifest } from './manifest.js';
export { buildRootfs, DEFAULT_SKELETON, REQUIRED_BINARIES, hostArch, type BuildOptions } from './build.js';
export { loadRootfs, type LoadedRootfs } from './load.js';
export { pushRootfs, verifyOnHost, assertRootfsIntact, runInitScript, runCleanScript, REMOTE_ROOTFS, type PushOutcome } from './push.js';
export { describeRootfs, summaryText, type RootfsSummary } from './describe.js';
export { hasLocalImages, IMAGE_REFS, assertBinaryVersions, HOST_BINARIES, CNI_PLUGINS } from './real-content.js';

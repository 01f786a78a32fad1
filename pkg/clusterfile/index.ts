// pkg/clusterfile: the one way to turn a Clusterfile into a typed, defaulted, validated Cluster.
export { loadClusterfile, parseClusterfile, type ParseOptions } from './parse.js';
export { renderClusterfile, type RenderOptions } from './render.js';
export { expandIPs, expandHostPorts, parseHostPort, parseCidr, cidrContains, cidrsOverlap, ipv4Problem, type HostPort } from './ips.js';
export { toJsonSchema, schemaText, SCHEMA_FILE } from './schema.js';
export { referenceMarkdown } from './reference.js';
export { API_VERSION, KIND, DEFAULT_VERSIONS } from './fields.js';
export { OVERRIDE_KINDS } from './overrides.js';
export { diffClusters, type ClusterDiff } from './diff.js';
export { withCertSan } from './edit.js';
export * from './types.js';

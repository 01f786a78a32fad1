// Shapes shared by the pki files and its callers.

/** A host as the PKI sees it: its address and the node name kubelet registers (its hostname). */
export interface HostIdentity {
  ip: string;
  hostname: string;
}

/** What `ensurePki` did, as paths relative to the pki dir. */
export interface PkiResult {
  changed: string[];
  kept: string[];
  /** Folders of hosts no longer in the cluster, deleted (e.g. "masters/198.18.2.13"). */
  removed: string[];
}

/** A CA certificate with its private key, both PEM (`\n` line endings). */
export interface CaPair {
  certPem: string;
  keyPem: string;
}

/** One file to put on a host: where it is locally, where it goes, with which mode. */
export interface PkiFile {
  local: string;
  remote: string;
  mode: 0o644 | 0o600;
}

/** One line of the `cert check-expiration` table. */
export interface ExpirationRow {
  /** e.g. "apiserver", "etcd/server", "admin.conf". */
  name: string;
  /** Where it was read (a host or a local dir). */
  source: string;
  expires: Date;
  residualDays: number;
  /** The signing CA's name, or "" for a CA. */
  authority: string;
  isCa: boolean;
  /** Read from a host: the same certificate as the local PKI's for that host, another one, or none there to compare. */
  local?: 'same' | 'differs' | 'none';
}

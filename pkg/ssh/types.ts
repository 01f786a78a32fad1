// The shapes every caller of pkg/ssh codes against: targets, options, results.
import type { Readable } from 'node:stream';
import type { LimitFunction } from 'p-limit';
import type { SshConfig } from '../clusterfile/types.js';
import type { Secret } from '../secret/secret.js';
import type { ShellCommand } from '../shell/quote.js';

/** One host to reach: how it is named in logs/errors, where it is, and how to log in. */
export interface Target {
  /** Shown in logs and errors (the IP unless the caller has a better name). */
  name: string;
  ip: string;
  port: number;
  ssh: SshConfig;
  /** Set for every command run on the host (the Clusterfile's spec.env merged with hosts[].env). */
  env?: Readonly<Record<string, string>>;
  /** known_hosts files checked for this host only, after the pool's (e.g. those of clusters listing it). */
  knownHostsFiles?: readonly string[];
}

/** What a line of the log is: the command sent, its output, or a note from the engine. */
/** `exit`: a command ended (its exit code and how long it ran), so a log shows each command's time. */
export type LineKind = 'cmd' | 'exit' | 'stdout' | 'stderr' | 'info' | 'warn';

/** Receives every log line of every host, secrets already redacted. */
export type LineSink = (host: string, kind: LineKind, line: string) => void;

export interface PoolOptions {
  /** known_hosts files read for verification (missing files are fine), e.g. ~/.ssh/known_hosts and the state dir's. */
  knownHostsFiles: string[];
  /** Unknown host keys are trusted on first use and appended here; without it unknown keys are refused. */
  recordUnknownTo?: string;
  /** Skip host-key verification entirely. Loud (a warning per host), never the default. */
  insecureIgnoreHostKey?: boolean;
  /** TCP connect + SSH handshake + auth budget per attempt. Default 10 s. */
  connectTimeoutMs?: number;
  /** Extra attempts after a refused/reset/timed-out connect. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per attempt. Default 500 ms. */
  retryDelayMs?: number;
  /** SSH keep-alive interval. Default 10 s (3 unanswered -> connection dropped). */
  keepaliveIntervalMs?: number;
  /** Uploads running at the same time over the whole pool (`--concurrent-uploads`). Default 10. */
  concurrentUploads?: number;
  onLine?: LineSink;
}

export interface ExecOptions {
  /** Run as root through sudo when the login user is not root (`sudo -n`, or the sudo password on stdin). */
  sudo?: boolean;
  /** Environment for the command, passed as quoted `env K=V` assignments. */
  env?: Readonly<Record<string, string>>;
  /** Kill the remote command (its whole process group) after this long and fail. */
  timeoutMs?: number;
  /** Fed to the command's stdin, then closed. */
  stdin?: string | Buffer | Secret | Readable | AsyncIterable<Uint8Array>;
  /** Default true: a non-zero exit throws a HostError naming host, command and the last stderr lines. */
  check?: boolean;
  /** Names the step in errors (default: the command's first word). */
  step?: string;
  /** Shown in the log and in errors instead of the command text (for sealts' own helper scripts). */
  display?: string;
  /** Do not stream stdout lines to the log (e.g. a command printing a secret or bulk data). */
  quiet?: boolean;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A file to upload: local path and its name (relative path) under the destination directory. */
export interface UploadFile {
  path: string;
  name: string;
  /**
   * The same content stored compressed (the rootfs payload): these bytes travel instead of `path`'s
   * and the host unpacks them before hashing, so the sha256 checked is still that of `path`.
   */
  encoded?: { path: string; codec: 'zstd' | 'gzip' };
}

export interface UploadOptions {
  sudo?: boolean;
  /** Names the step in errors. Default 'upload'. */
  step?: string;
  /** Tried before this client sends anything: the host fetches the files from elsewhere (the rootfs relay). */
  source?: UploadSource;
}

/**
 * A host-side fetch of files from somewhere other than this client. Its command runs on the host
 * as `<command> <dest>` with `stdin(names)` and must print what the client stream's receiver prints
 * (upload.ts, RECEIVE): the temp dir it filled, NUL, the hash tool, NUL, the `sha256sum -z` records.
 * Only files whose sha256 then matches are placed; the rest travel from the client.
 */
export interface UploadSource {
  /** For the log: where the files come from. */
  name: string;
  command(dest: string): ShellCommand;
  stdin(names: readonly string[]): string;
}

export interface UploadResult {
  /** Names (relative to dest) written this time. */
  sent: string[];
  /** Names whose remote sha256 already matched. */
  skipped: string[];
}

export interface WriteFileOptions {
  sudo?: boolean;
  step?: string;
}

export type Command = readonly string[] | ShellCommand;

/**
 * What upload and the remote checksum cache need from a connection (a Connection is one): named
 * here so those files build on a shape, not on connection.ts, which builds on them.
 */
export interface RemoteShell {
  readonly target: Target;
  /** Bounds uploads running at once across the pool. */
  readonly uploadSlots: LimitFunction;
  exec(cmd: Command, opts?: ExecOptions): Promise<ExecResult>;
  writeFile(dest: string, content: string | Buffer, mode: number, opts?: WriteFileOptions): Promise<boolean>;
}

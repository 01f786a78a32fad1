// The pool: ONE connection per host per run, opened on first use and reused by every step.
// Bastions are connections of the pool too; a host behind one is reached through a channel
// forwarded over the bastion's connection.
import pLimit, { type LimitFunction } from 'p-limit';
import type { Duplex } from 'node:stream';
import { HostError } from '../errors/errors.js';
import { redact } from '../secret/secret.js';
import type { BastionConfig } from '../clusterfile/types.js';
import { openClient, type ConnectSettings, type Endpoint } from './connect.js';
import { Connection } from './connection.js';
import { Link } from './link.js';
import type { LineSink, PoolOptions, Target } from './types.js';

function keyOf(user: string, ip: string, port: number): string {
  return `${user}@${ip}:${port}`;
}

export class SshPool {
  private readonly settings: ConnectSettings;
  private readonly open = new Map<string, Promise<Link>>();
  private readonly uploadSlots: LimitFunction;
  private readonly log: LineSink;
  /** Connections opened so far (bastions included): tests prove reuse with it. */
  opened = 0;

  constructor(opts: PoolOptions) {
    const sink = opts.onLine ?? (() => {});
    this.log = (host, kind, line) => sink(host, kind, redact(line));
    this.settings = {
      knownHostsFiles: opts.knownHostsFiles,
      recordUnknownTo: opts.recordUnknownTo,
      insecureIgnoreHostKey: opts.insecureIgnoreHostKey ?? false,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      retries: opts.retries ?? 3,
      retryDelayMs: opts.retryDelayMs ?? 500,
      keepaliveIntervalMs: opts.keepaliveIntervalMs ?? 10_000,
      log: this.log,
    };
    this.uploadSlots = pLimit(opts.concurrentUploads ?? 10);
  }

  /** The host's connection: the open one, or a new one (also after the previous one dropped). */
  async connect(t: Target): Promise<Connection> {
    const key = keyOf(t.ssh.user, t.ip, t.port);
    const current = this.open.get(key);
    if (current) {
      const link = await current.catch(() => undefined);
      if (link && link.lost === undefined) return new Connection(t, link, this.log, this.uploadSlots);
      // Dropped: forget it, unless a concurrent caller already replaced it with a new dial.
      if (this.open.get(key) === current) this.open.delete(key);
    }
    const link = await (this.open.get(key) ?? this.dial(key, t));
    return new Connection(t, link, this.log, this.uploadSlots);
  }

  private dial(key: string, t: Target): Promise<Link> {
    const p = (async () => {
      const via = t.ssh.bastion ? await this.bastionSocket(t, t.ssh.bastion) : undefined;
      const endpoint: Endpoint = {
        name: t.name,
        ip: t.ip,
        port: t.port,
        credentials: { user: t.ssh.user, pk: t.ssh.pk, pkPasswd: t.ssh.pkPasswd, passwd: t.ssh.passwd },
      };
      const extra = t.knownHostsFiles ?? [];
      const settings = extra.length === 0 ? this.settings : { ...this.settings, knownHostsFiles: [...this.settings.knownHostsFiles, ...extra] };
      const client = await openClient(endpoint, settings, via);
      this.opened++;
      this.log(t.name, 'info', `connected to ${t.ssh.user}@${t.ip}:${t.port}${t.ssh.bastion ? ` via ${t.ssh.bastion.host}` : ''}`);
      return new Link(client);
    })();
    this.open.set(key, p);
    p.catch(() => {
      if (this.open.get(key) === p) this.open.delete(key);
    });
    return p;
  }

  /** Opens (a fresh forwarded channel per connect attempt) to `t` through the bastion's connection. */
  private async bastionSocket(t: Target, b: BastionConfig): Promise<() => Promise<Duplex>> {
    const bastion = await this.connect({
      name: `${b.host} (bastion)`,
      ip: b.host,
      port: b.port,
      ssh: { user: b.user, port: b.port, passwd: b.passwd, pk: b.pk, pkPasswd: b.pkPasswd },
    });
    return () => bastion.forward(t.ip, t.port).catch((e: Error) => {
      throw new HostError(t.name, 'connect', `via bastion ${b.host}: ${e.message}`);
    });
  }

  /** Close every connection (end of the run). */
  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    const conns = await Promise.allSettled(all);
    for (const c of conns) if (c.status === 'fulfilled') c.value.close();
  }
}

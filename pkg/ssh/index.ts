// pkg/ssh: the SSH engine. Everything sealts does on a host goes through a Connection from an SshPool.
//
//   const pool = new SshPool({ knownHostsFiles: [~/.ssh/known_hosts, <state>/known_hosts], recordUnknownTo: <state>/known_hosts, onLine });
//   try {
//     const conn = await pool.connect(targetOf(hostSpec));                 // one connection per host, reused
//     await conn.exec(['kubeadm', 'init', '--config', cfg], { sudo: true, timeoutMs: 600_000 });  // throws HostError on exit != 0
//     const r = await conn.exec(sh(['test', '-f', p]), { check: false });  // r.code, r.stdout, r.stderr
//     await conn.writeFile('/etc/kubernetes/pki/ca.crt', pem, 0o644, { sudo: true });  // atomic, skip if same
//     await conn.upload('./rootfs', '/var/lib/sealts/rootfs', { sudo: true }); // tar stream, sha256, skip unchanged
//     const results = await forEachHost(targets, async (t) => (await pool.connect(t)).exec(['true']), { concurrency: 32 });
//     requireAllOk(results);                                                 // MultiHostError naming every failed host
//   } finally { await pool.closeAll(); }
export { SshPool } from './pool.js';
export { Connection } from './connection.js';
export { forEachHost, requireAllOk, type HostResult, type FanOutOptions } from './fanout.js';
export { targetOf } from './target.js';
export { fingerprint } from './known-hosts.js';
export type {
  Target,
  PoolOptions,
  ExecOptions,
  ExecResult,
  LineKind,
  LineSink,
  UploadFile,
  UploadOptions,
  UploadResult,
  WriteFileOptions,
  Command,
} from './types.js';
export { UPLOAD_SUMS_DIR } from './remote-sums.js';

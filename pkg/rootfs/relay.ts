// The rootfs relay: above a few hosts the client sends the payload to a few seeds only, and the
// other hosts fetch their files from a seed over the cluster network, so the client's bytes and
// CPU barely grow with the number of hosts.
//
// What a seed serves, and to whom: the files of its verified rootfs that its role has (nothing
// else: no PKI, no kubeconfig, no other path), over plain HTTP on an ephemeral port, only to the
// cluster's own host addresses and only with this run's token (32 random bytes, made by the client,
// given to the seed and to each fetcher on stdin over SSH, never in argv). The server lives inside
// the SSH command that started it: it stops when the client closes that command's stdin (the push
// ended, or sealts died and sshd closed the session), and after RELAY_TTL_S whatever happens.
// Integrity does not rest on the relay: every fetched file is hashed on the fetching host and placed
// only when its sha256 is the manifest's; anything else comes from the client over SSH.
import { randomBytes } from 'node:crypto';
import { literal, sh } from '../shell/quote.js';
import type { HostExec } from '../host/exec.js';
import type { UploadSource } from '../ssh/types.js';
import { ROOTFS_DIR } from '../host/facts.js';

/** Hosts in one push above which the relay is used (fewer: the client sends to each, as before). */
export const RELAY_THRESHOLD = 8;
/** Seeds the client sends to: each carries a full payload from the client. */
export const RELAY_SEEDS = 3;
/** A seed's server stops after this long even if the client never closes it. */
export const RELAY_TTL_S = 1800;

/**
 * The seed's server (python3 -c). stdin: one JSON line {root, token, allow, files, portFile, ttl},
 * then held open by the client: EOF stops the server. Serves GET /<name> for the listed names only,
 * to the allowed addresses only, with the token only (X-Sealts-Token, compared in constant time).
 */
const SERVER = `
import hmac, http.server, json, os, socketserver, sys, threading, urllib.parse
cfg = json.loads(sys.stdin.readline())
token = cfg["token"].encode()
allow = set(cfg["allow"])
files = set(cfg["files"])
root = cfg["root"]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def refuse(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def do_GET(self):
        name = urllib.parse.unquote(self.path[1:])
        given = self.headers.get("X-Sealts-Token", "").encode()
        if self.client_address[0] not in allow or not hmac.compare_digest(given, token) or name not in files:
            return self.refuse(403)
        try:
            f = open(os.path.join(root, name), "rb")
        except OSError:
            return self.refuse(404)
        with f:
            size = os.fstat(f.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.flush()
            sent = 0
            while sent < size:
                n = os.sendfile(self.connection.fileno(), f.fileno(), sent, size - sent)
                if n == 0:
                    break
                sent += n
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
server = Server((cfg["bind"], 0), Handler)
tmp = cfg["portFile"] + ".tmp"
with open(tmp, "w") as p:
    p.write(str(server.server_address[1]))
os.rename(tmp, cfg["portFile"])
def stop():
    try:
        os.unlink(cfg["portFile"])
    finally:
        os._exit(0)
threading.Thread(target=server.serve_forever, daemon=True).start()
threading.Timer(cfg["ttl"], stop).start()
sys.stdin.read()
stop()
`;

/**
 * The fetcher (python3 -c "$t"). stdin: one JSON line {seed, port, token}, then "<mode> <name>"
 * lines. Writes each file it gets under the temp dir "$1", hashing the bytes as they are written
 * (one pass: hashlib's sha256 is OpenSSL's), and prints a `sha256sum -z` record per file written
 * whole. A refusal or an error skips the file: it is then sent by the client.
 */
const FETCHER = `
import hashlib, http.client, json, os, sys, urllib.parse
t = sys.argv[1]
cfg = json.loads(sys.stdin.readline())
out = sys.stdout.buffer
conn = None
for line in sys.stdin:
    mode, name = line.rstrip("\\n").split(" ", 1)
    try:
        conn = conn or http.client.HTTPConnection(cfg["seed"], cfg["port"], timeout=30)
        conn.request("GET", "/" + urllib.parse.quote(name), headers={"X-Sealts-Token": cfg["token"]})
        r = conn.getresponse()
        if r.status != 200:
            r.read()
            continue
        p = os.path.join(t, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        h = hashlib.sha256()
        with open(p, "wb") as f:
            while True:
                b = r.read(1 << 20)
                if not b:
                    break
                h.update(b)
                f.write(b)
        os.chmod(p, int(mode, 8))
        out.write(("%s  ./%s\\0" % (h.hexdigest(), name)).encode())
    except Exception as e:
        sys.stderr.write("%s: %s\\n" % (name, e))
        conn = None
`;

/** Start the server: a dir for the port file (root only), then python3 in the foreground. */
const SERVE = literal('umask 077; mkdir -p -- "${1%/*}" && exec python3 -c "$2"');
/** Wait up to 10 s for the port file "$1", then print it. */
const PORT = literal('i=0; while [ ! -s "$1" ]; do i=$((i+1)); [ $i -le 100 ] || exit 1; sleep 0.1; done; cat -- "$1"');
/** The fetch as the upload's source (RECEIVE's output shape): temp dir, tool, the fetcher's sums. */
const FETCH = literal(
  [
    'set -e',
    'mkdir -p -- "$1"',
    'rm -rf -- "$1"/.sealts-upload.*',
    't=$(mktemp -d -- "$1/.sealts-upload.XXXXXX")',
    'printf "%s\\0sha256sum\\0" "$t"',
    'python3 -c "$2" "$t" || true',
  ].join('\n'),
);

/** A seed's running server and how to reach it. */
interface Served {
  ip: string;
  port: number;
  stop(): void;
  done: Promise<unknown>;
}

export interface RelaySeed {
  ip: string;
  exec: HostExec;
  /** What its role has: the only names it serves. */
  files: readonly string[];
  /** Settles when the seed's own push ended: it serves only after it succeeded. */
  ready: Promise<unknown>;
}

/** An async stdin that yields `first`, then stays open until `stop()`: EOF ends the remote server. */
function heldStdin(first: string): { stream: AsyncIterable<Uint8Array>; stop(): void } {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  async function* stream(): AsyncIterable<Uint8Array> {
    yield Buffer.from(first);
    await stopped;
  }
  return { stream: stream(), stop };
}

/**
 * The relay of one push: seeds serve, fetchers fetch. Servers start on the first `sourceFor` (a
 * re-apply where nothing differs starts none) and all stop at `close()`.
 */
export class Relay {
  private readonly token = randomBytes(32).toString('hex');
  /** Names the seed's port file: random on its own (argv shows it; no part of the token may). */
  private readonly id = randomBytes(8).toString('hex');
  private started: Promise<Served[]> | undefined;
  private next = 0;

  constructor(
    private readonly seeds: readonly RelaySeed[],
    /** Addresses allowed to fetch: the push's hosts. */
    private readonly allow: readonly string[],
    private readonly modes: ReadonlyMap<string, string>,
    private readonly onNote: (note: string) => void = () => {},
  ) {}

  private async serve(seed: RelaySeed): Promise<Served | undefined> {
    const portFile = `/run/sealts-relay/${this.id}.port`;
    const cfg = { root: ROOTFS_DIR, token: this.token, allow: this.allow, files: seed.files, portFile, ttl: RELAY_TTL_S, bind: seed.ip };
    const stdin = heldStdin(`${JSON.stringify(cfg)}\n`);
    const done = seed.exec.exec(sh(['sh', '-c', SERVE, 'sh', portFile, SERVER]), { stdin: stdin.stream, quiet: true, display: `serve the rootfs relay (python3, ${seed.files.length} files, token on stdin)` });
    // A server that ends before its port is known failed to start, whatever its exit code.
    const port = await Promise.race([seed.exec.exec(sh(['sh', '-c', PORT, 'sh', portFile]), { quiet: true, display: 'wait for the relay port' }), done.then((r) => ({ ...r, code: r.code === 0 ? 1 : r.code }))]);
    const n = Number(port.stdout.trim());
    if (port.code !== 0 || !Number.isInteger(n) || n <= 0) {
      stdin.stop();
      this.onNote(`${seed.ip}: the relay did not start (${(port.stderr.trim().split('\n').pop() ?? '') || `exit ${port.code}`}); its share comes from this machine`);
      return undefined;
    }
    return { ip: seed.ip, port: n, stop: stdin.stop, done: done.catch(() => undefined) };
  }

  private servers(): Promise<Served[]> {
    const start = async (s: RelaySeed) => {
      if (!(await s.ready.then(() => true, () => false))) return undefined; // its failure is reported by its own push
      return this.serve(s).catch(() => undefined);
    };
    this.started ??= Promise.all(this.seeds.map(start)).then((all) => all.filter((s): s is Served => s !== undefined));
    return this.started;
  }

  /** Where the next fetcher gets its files (seeds taken in turn), or undefined when no seed serves. */
  async sourceFor(): Promise<UploadSource | undefined> {
    const live = await this.servers();
    if (live.length === 0) return undefined;
    const s = live[this.next++ % live.length]!;
    const header = `${JSON.stringify({ seed: s.ip, port: s.port, token: this.token })}\n`;
    return {
      name: `relay ${s.ip}:${s.port}`,
      command: (dest) => sh(['sh', '-c', FETCH, 'sh', dest, FETCHER]),
      stdin: (names) => header + names.map((n) => `${this.modes.get(n) ?? '644'} ${n}\n`).join(''),
    };
  }

  /** Stop every server (stdin closed) and wait for them to exit. */
  async close(): Promise<void> {
    if (!this.started) return;
    const live = await this.started;
    for (const s of live) s.stop();
    await Promise.all(live.map((s) => s.done));
  }
}

/** The seeds of a push: hosts that can serve (python3), masters first (their part holds a node's). */
export function pickSeeds<H extends { ip: string; master: boolean; python3: boolean }>(hosts: readonly H[], count = RELAY_SEEDS): H[] {
  return [...hosts.filter((h) => h.python3)].sort((a, b) => Number(b.master) - Number(a.master)).slice(0, count);
}

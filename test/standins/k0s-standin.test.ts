// The k0s stand-in on its own, driven directly on 4 systemd fleet hosts (id 61), no sealts code:
// it must check arguments, files and order the way k0s v1.36 does, so that sealts' k0s runtime is
// verified against it. host-11 and host-12 are controllers, host-13 a worker, host-14 a spare for
// refused joins and a single-node controller. The CAs are made on host-11 as sealts would make them
// locally (openssl here), pushed to /var/lib/k0s/pki before `k0s install controller`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { K0S_STANDINS, k0sStandinBinDir } from './index.js';

const VERSION = 'v1.36.3+k0s.0';
const NAME = 'apiserver.k0s.test'; // the external address: a DNS name from /etc/hosts
const PKI = '/var/lib/k0s/pki';
const CA_FILES = ['ca.crt', 'ca.key', 'etcd/ca.crt', 'etcd/ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.key', 'sa.pub'];
const TOKEN_FILE = '/etc/k0s/k0stoken';

let fleet: Fleet;
let binDir: string;
let c1: FleetHost, c2: FleetHost, w: FleetHost, spare: FleetHost;
const tokens: Record<string, string> = {};

const k0s = (h: FleetHost, ...args: string[]) => fleet.run(h, ['k0s', ...args]);
const shOk = (h: FleetHost, script: string, input?: string) => fleet.runOk(h, ['sh', '-c', script], input === undefined ? {} : { input });
const put = (h: FleetHost, file: string, content: string, mode = '600') =>
  fleet.runOk(h, ['sh', '-c', `mkdir -p "$(dirname "$1")" && cat > "$1" && chmod ${mode} "$1"`, 'sh', file], { input: content });
const exists = async (h: FleetHost, p: string) => (await fleet.run(h, ['test', '-e', p])).code === 0;
const log = async (h: FleetHost) => (await fleet.run(h, ['cat', '/var/log/sealts-standins.log'])).stdout;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, seconds = 60, h?: FleetHost): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) {
      const journal = h ? (await fleet.run(h, ['journalctl', '-u', 'k0scontroller', '-u', 'k0sworker', '--no-pager', '-n', '40'])).stdout : '';
      throw new Error(`timed out after ${seconds} s waiting for ${what}${h ? `\n${h.name}'s k0s journal:\n${journal}\nits stand-in log:\n${await log(h)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function config(h: FleetHost, extra = ''): string {
  return [
    'apiVersion: k0s.k0sproject.io/v1beta1',
    'kind: ClusterConfig',
    'metadata:',
    '  name: standin-test',
    'spec:',
    '  api:',
    `    address: ${h.ip}`,
    `    externalAddress: ${NAME}`,
    `    sans: [${NAME}, ${h.name}, ${h.ip}]`,
    '    port: 6443',
    '    k0sApiPort: 9443',
    '  storage:',
    '    type: etcd',
    '    etcd:',
    `      peerAddress: ${h.ip}`,
    '  network:',
    '    provider: custom',
    '    podCIDR: 10.244.0.0/16',
    '    serviceCIDR: 10.96.0.0/12',
    '    clusterDomain: cluster.local',
    '    kubeProxy: {mode: iptables}',
    '  telemetry: {enabled: false}',
    extra,
  ].join('\n');
}

/** A CA set as sealts makes it (CAs, service-account key) plus an admin client certificate of system:masters. */
const MAKE_PKI = `set -e; d=$1; mkdir -p $d/etcd; cd $d
ca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $1.key -out $1.crt -subj "/CN=$2" -days 3650 \\
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature 2>/dev/null; }
ca ca kubernetes; ca etcd/ca etcd-ca; ca front-proxy-ca kubernetes-front-proxy-ca
openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout admin.key -subj "/O=system:masters/CN=sealts-admin" 2>/dev/null \\
  | openssl x509 -req -CA ca.crt -CAkey ca.key -set_serial 7 -days 365 -out admin.crt 2>/dev/null`;

async function readPki(h: FleetHost, dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of [...CA_FILES, 'admin.crt', 'admin.key']) out[f] = await fleet.runOk(h, ['cat', `${dir}/${f}`]);
  return out;
}

async function pushCas(h: FleetHost, pki: Record<string, string>): Promise<void> {
  for (const f of CA_FILES) await put(h, `${PKI}/${f}`, pki[f]!, f.endsWith('.key') ? '600' : '644');
}

function decodeToken(t: string): { server: string; ca: string; user: string; token: string } {
  const kc = parse(gunzipSync(Buffer.from(t, 'base64')).toString()) as {
    clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
    users: Array<{ name: string; user: { token: string } }>;
  };
  return { server: kc.clusters[0]!.cluster.server, ca: Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(), user: kc.users[0]!.name, token: kc.users[0]!.user.token };
}

/** A token as k0s encodes one, with another user name and server than its secret's role has (to prove the server checks the role). */
function forge(t: string, user: string, server: string): string {
  const kc = parse(gunzipSync(Buffer.from(t, 'base64')).toString()) as {
    users: Array<{ name: string }>; contexts: Array<{ context: { user: string } }>; clusters: Array<{ cluster: { server: string } }>;
  };
  kc.users[0]!.name = user;
  kc.contexts[0]!.context.user = user;
  kc.clusters[0]!.cluster.server = server;
  return gzipSync(stringify(kc)).toString('base64');
}

let pki: Record<string, string>;

before(async () => {
  fleet = await fleetUp({ id: 61, n: 4, init: 'systemd' });
  [c1, c2, w, spare] = fleet.hosts as FleetHost[];
  binDir = await k0sStandinBinDir(VERSION);
  for (const h of fleet.hosts) {
    for (const name of Object.keys(K0S_STANDINS)) {
      await fleet.runOk(h, ['sh', '-c', `cat > /usr/bin/${name} && chmod 755 /usr/bin/${name}`], { input: await readFile(path.join(binDir, name)) });
    }
    // every host reaches the external address on the first controller (sealts' VIP name does this)
    await shOk(h, `echo "${c1!.ip} ${NAME}" >> /etc/hosts`);
  }
  await fleet.runOk(c1!, ['sh', '-c', MAKE_PKI, 'sh', '/root/sealts-pki']);
  pki = await readPki(c1!, '/root/sealts-pki');
});

after(async () => {
  await fleet?.down();
  if (binDir) await rm(binDir, { recursive: true, force: true });
});

test('version (not logged); install refuses non-root, an unknown or mistyped field, invalid values and bad flags like k0s', async () => {
  assert.equal((await fleet.runOk(c1, ['k0s', 'version'])).trim(), VERSION);
  assert.doesNotMatch(await log(c1), /k0s version/);
  await put(c1, '/etc/k0s/k0s.yaml', config(c1));
  const asOps = await fleet.run(c1, ['runuser', '-u', 'ops', '--', 'k0s', 'install', 'controller', '-c', '/etc/k0s/k0s.yaml']);
  assert.equal(asOps.code, 1);
  assert.match(asOps.stderr, /^Error: this command must be run as root$/m);

  await put(c1, '/etc/k0s/bad.yaml', config(c1, '  foo: 1'));
  let r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/bad.yaml');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: failed to load node config: error unmarshaling JSON: while decoding JSON: json: unknown field "foo"/);
  await put(c1, '/etc/k0s/bad.yaml', config(c1).replace('port: 6443', 'port: "6443"'));
  r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/bad.yaml');
  assert.match(r.stderr, /json: cannot unmarshal string into Go struct field \S+\.spec\.api\.port of type int/);
  await put(c1, '/etc/k0s/bad.yaml', config(c1).replace('provider: custom', 'provider: flannel').replace('podCIDR: 10.244.0.0/16', 'podCIDR: 10.244.0.0'));
  r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/bad.yaml');
  assert.match(r.stderr, /invalid node config: spec: network: provider: Unsupported value: "flannel"/);
  assert.match(r.stderr, /spec: network: podCIDR: Invalid value: "10.244.0.0": invalid CIDR address/);
  await put(c1, '/etc/k0s/bad.yaml', config(c1).replace(`peerAddress: ${c1.ip}`, `peerAddress: ${c2.ip}`));
  r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/bad.yaml');
  assert.match(r.stderr, /peerAddress .* is not an address of this host/);
  r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--no-taints');
  assert.match(r.stderr, /--no-taints has no effect without --enable-worker/);
  r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--single', '--enable-worker');
  assert.match(r.stderr, /--single implies --enable-worker/);
  r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--disable-components=konnectivity');
  assert.match(r.stderr, /Error: unknown component konnectivity/);
  r = await k0s(w, 'install', 'worker', '-c', '/etc/k0s/k0s.yaml');
  assert.match(r.stderr, /unknown shorthand flag: 'c' in -c/); // a worker takes no config
  assert.equal(await exists(c1, '/etc/systemd/system/k0scontroller.service'), false);
});

test('first controller: refused before sealts pushed its CAs; the unit written, enabled, not started; a second install refused', async () => {
  let r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--disable-components=konnectivity-server');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /k0s-standin: \/var\/lib\/k0s\/pki\/ca.crt is missing: k0s would make a CA of its own/);
  await pushCas(c1, pki);
  await fleet.runOk(c1, ['k0s', 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--disable-components=konnectivity-server']);
  const unit = await fleet.runOk(c1, ['cat', '/etc/systemd/system/k0scontroller.service']);
  assert.match(unit, /^ExecStart=\/usr\/bin\/k0s controller --config=\/etc\/k0s\/k0s.yaml --disable-components=konnectivity-server$/m);
  for (const line of ['Restart=always', 'RestartSec=10', 'KillMode=process', 'WantedBy=multi-user.target']) assert.match(unit, new RegExp(`^${line}$`, 'm'));
  assert.equal((await fleet.run(c1, ['systemctl', 'is-active', 'k0scontroller'])).stdout.trim(), 'inactive');
  assert.equal((await fleet.runOk(c1, ['systemctl', 'is-enabled', 'k0scontroller'])).trim(), 'enabled');
  r = await k0s(c1, 'install', 'controller', '-c', '/etc/k0s/k0s.yaml');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: failed to install controller service: Init already exists: \/etc\/systemd\/system\/k0scontroller.service/);
  r = await k0s(c1, 'status');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: status: can't get "status" via "\/run\/k0s\/status.sock"/);
});

test('start: the API served with the pushed CA (sealts\' own admin kubeconfig works), status, admin kubeconfig, etcd member', async () => {
  await fleet.runOk(c1, ['k0s', 'start']);
  assert.match((await k0s(c1, 'start')).stderr, /Error: already running/);
  await until('the apiserver', async () => (await k0s(c1, 'kubectl', 'get', '--raw', '/readyz')).stdout.trim() === 'ok', 60, c1);
  const text = await fleet.runOk(c1, ['k0s', 'status']);
  assert.match(text, /^Version: v1\.36\.3\+k0s\.0$/m);
  assert.match(text, /^Process ID: \d+$/m);
  assert.match(text, /^Role: controller$/m);
  assert.match(text, /^Workloads: false$/m);
  assert.match(text, /^SingleNode: false$/m);
  const st = JSON.parse(await fleet.runOk(c1, ['k0s', 'status', '-o', 'json'])) as Record<string, unknown>;
  assert.equal(st.Version, VERSION);
  assert.equal(st.Role, 'controller');
  assert.equal(st.Workloads, false);
  assert.equal(typeof st.Pid, 'number');
  // the serving certificate: signed by sealts' CA, k0s' names
  await fleet.runOk(c1, ['openssl', 'verify', '-CAfile', `${PKI}/ca.crt`, `${PKI}/server.crt`]);
  const sans = await fleet.runOk(c1, ['openssl', 'x509', '-in', `${PKI}/server.crt`, '-noout', '-ext', 'subjectAltName']);
  for (const n of [`DNS:${NAME}`, `IP Address:${c1.ip}`, 'DNS:kubernetes.default.svc.cluster.local', 'DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:10.96.0.1', `DNS:${c1.name}`]) {
    assert.ok(sans.includes(n), `server.crt names ${n}: ${sans}`);
  }
  const admin = parse(await fleet.runOk(c1, ['cat', `${PKI}/admin.conf`])) as { clusters: Array<{ cluster: { server: string } }> };
  assert.equal(admin.clusters[0]!.cluster.server, 'https://localhost:6443');
  const out = parse(await fleet.runOk(c1, ['k0s', 'kubeconfig', 'admin'])) as { clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }> };
  assert.equal(out.clusters[0]!.cluster.server, `https://${NAME}:6443`);
  assert.equal(Buffer.from(out.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(), pki['ca.crt']);
  // sealts' locally made admin kubeconfig (its own client cert of system:masters), from another host
  const b = (s: string) => Buffer.from(s).toString('base64');
  await put(spare, '/root/sealts-admin.conf', stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'admin',
    clusters: [{ name: 'c', cluster: { server: `https://${NAME}:6443`, 'certificate-authority-data': b(pki['ca.crt']!) } }],
    users: [{ name: 'admin', user: { 'client-certificate-data': b(pki['admin.crt']!), 'client-key-data': b(pki['admin.key']!) } }],
    contexts: [{ name: 'admin', context: { cluster: 'c', user: 'admin' } }],
  }));
  assert.match(await fleet.runOk(spare, ['kubectl-standin', '--kubeconfig', '/root/sealts-admin.conf', 'get', 'nodes']), /^NAME STATUS ROLES$/m);
  assert.equal((await fleet.runOk(c1, ['k0s', 'etcd', 'member-list'])).trim(), JSON.stringify({ members: { [c1.name]: `https://${c1.ip}:2380` } }));
});

test('token create: a bad role or expiry refused; worker and controller tokens as k0s encodes them', async () => {
  let r = await k0s(c1, 'token', 'create', '--role=admin', '--expiry=1h');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: unsupported role "admin"; supported roles are "controller" and "worker"/);
  r = await k0s(c1, 'token', 'create', '--role=worker', '--expiry=abc');
  assert.match(r.stderr, /Error: time: invalid duration "abc"/);
  r = await k0s(c1, 'token', 'create', '--role=worker', '--expiry=15');
  assert.match(r.stderr, /Error: time: missing unit in duration "15"/);
  r = await k0s(c1, 'token', 'create', '--role=worker');
  assert.match(r.stderr, /give a finite --expiry/);
  tokens.worker = (await fleet.runOk(c1, ['k0s', 'token', 'create', '--role=worker', '--expiry=15m'])).trim();
  tokens.controller = (await fleet.runOk(c1, ['k0s', 'token', 'create', '--role', 'controller', '--expiry', '1h'])).trim();
  const wt = decodeToken(tokens.worker);
  const ct = decodeToken(tokens.controller);
  assert.deepEqual([wt.server, wt.user], [`https://${NAME}:6443`, 'kubelet-bootstrap']);
  assert.deepEqual([ct.server, ct.user], [`https://${NAME}:9443`, 'controller-bootstrap']);
  assert.equal(wt.ca, pki['ca.crt']);
  assert.match(wt.token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  assert.match(ct.token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  const list = await fleet.runOk(c1, ['k0s', 'token', 'list', '--role=worker']);
  assert.match(list, /^ID\s+ROLE\s+EXPIRES AT$/m);
  assert.match(list, new RegExp(`^${wt.token.split('.')[0]}\\s+worker\\s+\\d{4}-\\d\\d-\\d\\dT`, 'm'));
  assert.doesNotMatch(list, new RegExp(ct.token.split('.')[0]!));
  assert.match((await k0s(c1, 'token', 'list')).stderr, /unsupported role ""/); // k0s v1.36: --role is required
});

test('a worker before any controller answers fails (systemd restarts it); it joins once the controller is back', async () => {
  await fleet.runOk(c1, ['k0s', 'stop']);
  assert.match((await k0s(c1, 'stop')).stderr, /Error: already stopped/);
  assert.equal((await k0s(c1, 'status')).code, 1);
  await put(w, TOKEN_FILE, tokens.worker!, '644');
  let r = await k0s(w, 'install', 'worker', '--token-file', TOKEN_FILE);
  assert.match(r.stderr, /token file \/etc\/k0s\/k0stoken is mode 0644/);
  await fleet.runOk(w, ['chmod', '600', TOKEN_FILE]);
  await fleet.runOk(w, ['k0s', 'install', 'worker', '--token-file', TOKEN_FILE, '--cri-socket=remote:unix:///run/containerd/containerd.sock']);
  assert.match(await fleet.runOk(w, ['cat', '/etc/systemd/system/k0sworker.service']),
    /^ExecStart=\/usr\/bin\/k0s worker --cri-socket=remote:unix:\/\/\/run\/containerd\/containerd.sock --token-file=\/etc\/k0s\/k0stoken$/m);
  await fleet.runOk(w, ['k0s', 'start']);
  await until('the worker giving up', async () => /k0s\.log worker: no controller answers at https:\/\/apiserver\.k0s\.test:6443/.test(await log(w)), 40, w);
  assert.equal(await exists(w, '/var/lib/k0s/kubelet.conf'), false);
  await fleet.runOk(c1, ['k0s', 'start']);
  await until('the worker joined', () => exists(w, '/var/lib/k0s/kubelet.conf'), 60, w);
  await until('the Node', async () => (await k0s(c1, 'kubectl', 'get', 'nodes', '-o', 'name')).stdout.includes(`node/${w.name}`), 30, c1);
  const kc = parse(await fleet.runOk(w, ['cat', '/var/lib/k0s/kubelet.conf'])) as { clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }> };
  assert.equal(Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(), pki['ca.crt']);
  assert.equal(kc.clusters[0]!.cluster.server, `https://${NAME}:6443`);
  assert.match(await fleet.runOk(w, ['k0s', 'status']), /^Role: worker$/m);
  // the kubelet's kubeconfig is no admin; the joined worker ignores its spent token file
  assert.notEqual((await fleet.run(w, ['kubectl-standin', '--kubeconfig', '/var/lib/k0s/kubelet.conf', 'get', 'nodes'])).code, 0);
  await put(w, TOKEN_FILE, '# overwritten after join\n');
  await fleet.runOk(w, ['systemctl', 'restart', 'k0sworker']);
  await until('the worker running again', async () => (await k0s(w, 'status')).code === 0, 20, w);
  r = await k0s(w, 'token', 'create', '--role=worker', '--expiry=1m');
  assert.match(r.stderr, /failed to read cluster CA from "\/var\/lib\/k0s\/pki\/ca.crt"/);
});

test('the wrong role\'s token is refused (locally by its type, by the server by its usage); a controller joins with a controller token', async () => {
  await put(spare, '/root/controller-token', tokens.controller!);
  await put(spare, '/root/worker-token', tokens.worker!);
  let r = await k0s(spare, 'worker', '--token-file', '/root/controller-token');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /wrong token type controller-bootstrap, expected type: kubelet-bootstrap/);
  await put(spare, '/etc/k0s/k0s.yaml', config(spare));
  r = await k0s(spare, 'controller', '--config=/etc/k0s/k0s.yaml', '--token-file=/root/worker-token');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /wrong token type kubelet-bootstrap, expected type: controller-bootstrap/);
  // the same secrets under the other role's name: the servers check what a token is for
  await put(spare, '/root/forged', forge(tokens.worker!, 'controller-bootstrap', `https://${NAME}:9443`));
  r = await k0s(spare, 'controller', '--config=/etc/k0s/k0s.yaml', '--token-file=/root/forged');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /failed to join existing cluster via https:\/\/apiserver\.k0s\.test:9443: the server has asked for the client to provide credentials/);
  await put(spare, '/root/forged', forge(tokens.controller!, 'kubelet-bootstrap', `https://${NAME}:6443`));
  r = await k0s(spare, 'worker', '--token-file=/root/forged');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Unauthorized/);
  assert.equal(await exists(spare, `${PKI}/ca.crt`), false, 'a refused join stores nothing');

  // host-12: sealts pushed a CA that is not the cluster's -> refused; with the cluster's it joins
  await fleet.runOk(c2, ['sh', '-c', MAKE_PKI, 'sh', '/root/other-pki']);
  await pushCas(c2, await readPki(c2, '/root/other-pki'));
  await put(c2, '/etc/k0s/k0s.yaml', config(c2));
  await put(c2, TOKEN_FILE, tokens.controller!);
  await fleet.runOk(c2, ['k0s', 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--token-file', TOKEN_FILE]);
  await fleet.runOk(c2, ['k0s', 'start']);
  await until('the refusal', async () => /k0s\.log controller: error: failed to join controller: k0s-standin: \/var\/lib\/k0s\/pki\/ca\.crt differs from the cluster's/.test(await log(c2)), 30, c2);
  await fleet.runOk(c2, ['k0s', 'stop']);
  await pushCas(c2, pki);
  await fleet.runOk(c2, ['k0s', 'start']);
  await until('host-12 serving', async () => (await k0s(c2, 'kubectl', 'get', '--raw', '/readyz')).stdout.trim() === 'ok', 60, c2);
  const members = JSON.parse(await fleet.runOk(c1, ['k0s', 'etcd', 'member-list'])) as { members: Record<string, string> };
  assert.deepEqual(members, { members: { [c1.name]: `https://${c1.ip}:2380`, [c2.name]: `https://${c2.ip}:2380` } });
  assert.match(await fleet.runOk(c2, ['k0s', 'kubectl', 'get', 'nodes', '-o', 'name']), new RegExp(`node/${w.name}`));
  assert.match(await fleet.runOk(c2, ['k0s', 'status']), /^Role: controller$/m);
  // once joined, the token file is ignored (k0sctl overwrites it), a restart serves again
  await put(c2, TOKEN_FILE, '# overwritten after join\n');
  await fleet.runOk(c2, ['systemctl', 'restart', 'k0scontroller']);
  await until('host-12 serving after its restart', async () => (await k0s(c2, 'kubectl', 'get', '--raw', '/readyz')).stdout.trim() === 'ok', 30, c2);
  assert.equal(Object.keys((JSON.parse(await fleet.runOk(c2, ['k0s', 'etcd', 'member-list'])) as { members: object }).members).length, 2);
});

test('token invalidate (on another controller than the one that made it) makes the token unusable', async () => {
  const t = (await fleet.runOk(c1, ['k0s', 'token', 'create', '--role=worker', '--expiry=10m'])).trim();
  const id = decodeToken(t).token.split('.')[0]!;
  await until('the token on host-12', async () => (await k0s(c2, 'token', 'list', '--role=worker')).stdout.includes(id), 10, c2);
  assert.equal((await fleet.runOk(c2, ['k0s', 'token', 'invalidate', id])).trim(), `token ${id} deleted successfully`);
  assert.doesNotMatch(await fleet.runOk(c1, ['k0s', 'token', 'list', '--role=worker']), new RegExp(id));
  await put(spare, '/root/worker-token', t);
  const r = await k0s(spare, 'worker', '--token-file', '/root/worker-token');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /failed to bootstrap client configuration: Unauthorized/);
  assert.match(await log(spare), /k0s\.log worker: the apiserver at https:\/\/apiserver\.k0s\.test:6443 refused the join token/);
});

test('etcd leave: an unknown peer refused; a member removed stops that controller\'s apiserver', async () => {
  let r = await k0s(c1, 'etcd', 'leave', '--peer-address', '198.18.61.99');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: peer not found: https:\/\/198\.18\.61\.99:2380/);
  r = await k0s(c1, 'etcd', 'leave', '--peer-address', 'not_an address');
  assert.match(r.stderr, /invalid argument "not_an address" for "--peer-address" flag: neither an IP address nor a DNS name/);
  await fleet.runOk(c1, ['k0s', 'etcd', 'leave', '--peer-address', c2.ip]);
  assert.deepEqual(JSON.parse(await fleet.runOk(c1, ['k0s', 'etcd', 'member-list'])), { members: { [c1.name]: `https://${c1.ip}:2380` } });
  await until('host-12 stopping its apiserver', async () => (await fleet.run(c2, ['curl', '-sk', '--max-time', '2', 'https://127.0.0.1:6443/readyz'])).code !== 0, 20, c2);
  assert.match(await log(c2), /k0s\.log controller: etcd: this member has been permanently removed/);
  assert.equal((await k0s(c1, 'kubectl', 'get', '--raw', '/readyz')).stdout.trim(), 'ok', 'the remaining controller serves');
  r = await k0s(c1, 'etcd', 'leave'); // its own peer address: the last member, which etcd keeps
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not enough started members/);
});

test('reset: refused while k0s runs, clean after stop (units, /var/lib/k0s, /run/k0s; /etc/k0s left); start without an install refused', async () => {
  for (const h of [c2, w]) {
    const unit = h === w ? 'k0sworker' : 'k0scontroller';
    const r = await k0s(h, 'reset');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error: another k0s process is still running, please stop k0s before reset/);
    await fleet.runOk(h, ['k0s', 'stop']);
    await fleet.runOk(h, ['k0s', 'reset']);
    for (const p of ['/var/lib/k0s', '/run/k0s', `/etc/systemd/system/${unit}.service`, `/etc/systemd/system/multi-user.target.wants/${unit}.service`]) {
      assert.equal(await exists(h, p), false, `${h.name}: ${p} removed`);
    }
    assert.equal(await exists(h, '/etc/k0s'), true, '/etc/k0s is left to sealts');
    assert.doesNotMatch(await fleet.runOk(h, ['ps', '-eo', 'args']), /apiserver-standin|etcd-standin|\/usr\/bin\/k0s /);
    assert.doesNotMatch((await fleet.run(h, ['systemctl', 'list-unit-files', 'k0s*'])).stdout, /k0s(controller|worker)/);
    assert.match((await k0s(h, 'start')).stderr, /Error: k0s has not been installed as a service/);
  }
});

test('--single: a controller+worker on kine, no joins, no etcd', async () => {
  await fleet.runOk(spare, ['k0s', 'reset']);
  await pushCas(spare, pki);
  const single = config(spare).replace(/ {2}storage:\n {4}type: etcd\n {4}etcd:\n {6}peerAddress: \S+\n/, '');
  await put(spare, '/etc/k0s/k0s.yaml', single);
  let r = await k0s(spare, 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--single', '--token-file', '/root/worker-token');
  assert.match(r.stderr, /--single makes a single-node cluster/);
  await fleet.runOk(spare, ['k0s', 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--single']);
  await fleet.runOk(spare, ['k0s', 'start']);
  await until('the single node', async () => (await k0s(spare, 'kubectl', 'get', 'nodes', '-o', 'json')).stdout.includes(spare.name), 40, spare);
  const node = (JSON.parse(await fleet.runOk(spare, ['k0s', 'kubectl', 'get', 'nodes', '-o', 'json'])) as { items: Array<{ spec: { taints?: unknown[] } }> }).items[0]!;
  assert.equal(node.spec.taints, undefined, 'a single node is not tainted');
  const st = JSON.parse(await fleet.runOk(spare, ['k0s', 'status', '-o', 'json'])) as { Role: string; SingleNode: boolean; Workloads: boolean };
  assert.deepEqual([st.Role, st.SingleNode, st.Workloads], ['controller+worker', true, true]);
  r = await k0s(spare, 'token', 'create', '--role=worker', '--expiry=1h');
  assert.match(r.stderr, /Error: refusing to create token: cannot join into a single node cluster/);
  r = await k0s(spare, 'etcd', 'member-list');
  assert.match(r.stderr, /Error: wrong storage type: kine/);
  assert.equal(await exists(spare, '/var/lib/k0s/db/cluster.json'), true);
  await fleet.runOk(spare, ['k0s', 'stop']);
  await fleet.runOk(spare, ['k0s', 'reset']);
  assert.equal(await exists(spare, '/var/lib/k0s'), false);
});

test('--enable-worker: a controller+worker Node, tainted unless --no-taints; drain and uncordon through k0s kubectl', async () => {
  await pushCas(spare, pki);
  await put(spare, '/etc/k0s/k0s.yaml', config(spare));
  await fleet.runOk(spare, ['k0s', 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--enable-worker']);
  await fleet.runOk(spare, ['k0s', 'start']);
  type Nodes = { items: Array<{ metadata: { name: string; labels: Record<string, string> }; spec: { unschedulable: boolean; taints?: Array<{ key: string; effect: string }> } }> };
  const nodes = async () => JSON.parse((await k0s(spare, 'kubectl', 'get', 'nodes', '-o', 'json')).stdout || '{"items":[]}') as Nodes;
  let node = await until('the Node', async () => (await nodes()).items.find((n) => n.metadata.name === spare.name), 40, spare);
  assert.deepEqual(node.spec.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
  assert.equal(node.metadata.labels['node-role.kubernetes.io/control-plane'], 'true');
  const st = JSON.parse(await fleet.runOk(spare, ['k0s', 'status', '-o', 'json'])) as { Role: string; Workloads: boolean; SingleNode: boolean };
  assert.deepEqual([st.Role, st.Workloads, st.SingleNode], ['controller+worker', true, false]);
  assert.equal(await exists(spare, '/var/lib/k0s/kubelet.conf'), true);
  await fleet.runOk(spare, ['k0s', 'kubectl', 'drain', spare.name, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=120s']);
  assert.equal((await nodes()).items[0]!.spec.unschedulable, true);
  // reinstalled with --no-taints (as sealts installs a master that is also a node); a restart keeps the cordon
  await fleet.runOk(spare, ['k0s', 'stop']);
  await fleet.runOk(spare, ['sh', '-c', 'rm /etc/systemd/system/k0scontroller.service && systemctl daemon-reload']);
  await fleet.runOk(spare, ['k0s', 'install', 'controller', '-c', '/etc/k0s/k0s.yaml', '--enable-worker', '--no-taints']);
  assert.match(await fleet.runOk(spare, ['cat', '/etc/systemd/system/k0scontroller.service']), /^ExecStart=\/usr\/bin\/k0s controller --config=\/etc\/k0s\/k0s.yaml --enable-worker=true --no-taints=true$/m);
  await fleet.runOk(spare, ['k0s', 'start']);
  node = await until('the Node untainted', async () => (await nodes()).items.find((n) => n.metadata.name === spare.name && !n.spec.taints), 40, spare);
  assert.equal(node.spec.unschedulable, true);
  await fleet.runOk(spare, ['k0s', 'kubectl', 'uncordon', spare.name]);
  assert.equal((await nodes()).items[0]!.spec.unschedulable, false);
  await fleet.runOk(spare, ['k0s', 'stop']);
  await fleet.runOk(spare, ['k0s', 'reset']);
});

test('the log: every k0s call ended with its k0s.done mark, in order; no token reached it', async () => {
  await fleet.runOk(c1, ['k0s', 'stop']);
  for (const h of fleet.hosts) {
    const text = await log(h);
    const open: string[] = [];
    for (const line of text.split('\n')) {
      const call = /^\S+ k0s (\S+)/.exec(line);
      const done = /^\S+ k0s\.done (\S+)$/.exec(line);
      if (call) open.push(call[1]!);
      if (done) {
        const i = open.indexOf(done[1]!);
        assert.ok(i >= 0, `${h.name}: ${line} ends no call`);
        open.splice(i, 1);
      }
    }
    assert.deepEqual(open, [], `${h.name}: calls without their k0s.done mark\n${text}`);
    assert.doesNotMatch(text, /[a-z0-9]{6}\.[a-z0-9]{16}/);
    for (const t of Object.values(tokens)) assert.ok(!text.includes(t.slice(0, 40)), `${h.name}: no token in the log`);
  }
});

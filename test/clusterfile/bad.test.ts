// Bad Clusterfiles: each asserts the EXACT `file:line:col: message` lines, every problem at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problems } from './helpers.js';

interface BadCase {
  name: string;
  text: string;
  expected: string[];
}

const cases: BadCase[] = [
  {
    name: 'unknown field, with a suggestion',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh:
    passwd: s3cret-pass
    prot: 22
  hosts:
    - ips: [198.18.0.11]
      roles: [master]
`,
    expected: [
      'bad.yaml:9:5: spec.ssh: unknown field "prot" (did you mean "port"?)',
    ],
  },
  {
    name: 'port given as a string',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh:
    passwd: s3cret-pass
    port: "22"
  hosts:
    - ips: [198.18.0.11]
      roles: [master]
`,
    expected: [
      'bad.yaml:9:11: spec.ssh.port: expected an integer, got the string "22"',
    ],
  },
  {
    name: 'port out of range',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh:
    passwd: s3cret-pass
    port: 70000
  hosts:
    - ips: [198.18.0.11]
      roles: [master]
`,
    expected: [
      'bad.yaml:9:11: spec.ssh.port: must be between 1 and 65535; got 70000',
    ],
  },
  {
    name: 'metadata.name not a DNS label',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: Demo_1
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:4:9: metadata.name: expected a DNS label (lowercase letters, digits and "-", at most 63), got "Demo_1"',
    ],
  },
  {
    name: 'metadata without name',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:3:1: metadata: missing required field "name"',
    ],
  },
  {
    name: 'invalid octet in an address',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.256], roles: [master]}
    - {ips: [198.18.0.12, 198.18.0.11], roles: [node]}
`,
    expected: [
      'bad.yaml:9:14: spec.hosts[0].ips[0]: "198.18.0.256" is not an IPv4 address: octet 256 is out of range 0..255',
    ],
  },
  {
    name: 'same address as master and node',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
    - {ips: [198.18.0.12, 198.18.0.11], roles: [node]}
`,
    expected: [
      'bad.yaml:10:27: spec.hosts[1].ips[1]: 198.18.0.11 is already listed at 9:14; a host is either a master or a node, not both',
    ],
  },
  {
    name: 'same address twice in a group',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11, 198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:9:27: spec.hosts[0].ips[1]: 198.18.0.11 is already listed at 9:14',
    ],
  },
  {
    name: 'no master',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [node]}
`,
    expected: [
      'bad.yaml:9:5: spec.hosts: no master: at least one group needs roles: [master]',
    ],
  },
  {
    name: 'a group both master and node',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master, node]}
`,
    expected: [
      'bad.yaml:9:35: spec.hosts[0].roles: a host is either a master or a node, not both',
    ],
  },
  {
    name: 'podCIDR overlapping the service CIDR (and the default VIP)',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
  network:
    podCIDR: 10.0.0.0/8
`,
    expected: [
      'bad.yaml:11:14: spec.network: serviceCIDR 10.96.0.0/22 overlaps podCIDR 10.0.0.0/8',
      'bad.yaml:11:14: spec.vip.address: 10.103.97.2 is inside podCIDR 10.0.0.0/8; choose an address outside the pod and service CIDRs',
    ],
  },
  {
    name: 'VIP inside the service CIDR',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
  network:
    serviceCIDR: 10.96.0.0/12
`,
    expected: [
      'bad.yaml:11:18: spec.vip.address: 10.103.97.2 is inside serviceCIDR 10.96.0.0/12; choose an address outside the pod and service CIDRs',
    ],
  },
  {
    name: 'VIP equal to a host address',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
  vip:
    address: 198.18.0.11
`,
    expected: [
      'bad.yaml:11:14: spec.vip.address: 198.18.0.11 is a host address; the VIP must be an unused address',
    ],
  },
  {
    name: 'no credentials at all',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:8:7: spec.hosts[0]: no SSH credentials: set spec.ssh.pk or spec.ssh.passwd (or run an ssh-agent: SSH_AUTH_SOCK)',
    ],
  },
  {
    name: 'unknown runtime',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  runtime: {type: k3s}
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:7:19: spec.runtime.type: must be one of kubeadm, k0s; got "k3s"',
    ],
  },
  {
    name: 'version without the v',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  runtime: {version: 1.32.8}
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:7:22: spec.runtime.version: expected a version vMAJOR.MINOR.PATCH (k0s: vMAJOR.MINOR.PATCH+k0s.N), got "1.32.8"',
    ],
  },
  {
    name: 'version with two parts',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  runtime: {version: "v1.32"}
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:7:22: spec.runtime.version: expected a version vMAJOR.MINOR.PATCH (k0s: vMAJOR.MINOR.PATCH+k0s.N), got "v1.32"',
    ],
  },
  {
    name: 'bad vip mode',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
  vip: {mode: lvs}
`,
    expected: [
      'bad.yaml:10:15: spec.vip.mode: must be one of auto, ipvs, iptables; got "lvs"',
    ],
  },
  {
    name: 'CIDR with host bits set',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
  network: {podCIDR: 100.64.0.1/10}
`,
    expected: [
      'bad.yaml:10:22: spec.network.podCIDR: "100.64.0.1/10" is not a CIDR: host bits are set (did you mean 100.64.0.0/10?)',
    ],
  },
  {
    name: 'invalid dnsDomain',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
  network: {dnsDomain: Cluster_Local}
`,
    expected: [
      'bad.yaml:10:24: spec.network.dnsDomain: expected a DNS name, got "Cluster_Local"',
    ],
  },
  {
    name: 'YAML syntax error',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - ips: [198.18.0.11]
      roles: [master
`,
    expected: [
      'bad.yaml:11:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  },
  {
    name: 'duplicate key',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
  name: again
spec: {}
`,
    expected: [
      'bad.yaml:5:3: YAML syntax: Map keys must be unique',
    ],
  },
  {
    name: 'unknown kinds, unsupported apiVersions and a k0s document for kubeadm',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfig
---
apiVersion: kubeadm.k8s.io/v1beta2
kind: ClusterConfiguration
---
apiVersion: k0s.k0sproject.io/v1beta1
kind: ClusterConfig
`,
    expected: [
      'bad.yaml:11:7: unknown document kind "InitConfig"; expected Cluster, InitConfiguration, ClusterConfiguration, JoinConfiguration, KubeletConfiguration, KubeProxyConfiguration, ClusterConfig',
      'bad.yaml:13:13: ClusterConfiguration: apiVersion "kubeadm.k8s.io/v1beta2" is not supported; use kubeadm.k8s.io/v1beta3 or kubeadm.k8s.io/v1beta4',
      'bad.yaml:17:7: ClusterConfig (k0s.k0sproject.io/v1beta1) is a k0s document but spec.runtime.type is kubeadm',
    ],
  },
  {
    name: 'an empty file',
    text: `# nothing but a comment
`,
    expected: [
      'bad.yaml:1:1: no Cluster document (apiVersion: sealts.io/v1, kind: Cluster)',
    ],
  },
  {
    name: 'no Cluster document',
    text: `apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
`,
    expected: [
      'bad.yaml:1:1: no Cluster document (apiVersion: sealts.io/v1, kind: Cluster)',
    ],
  },
  {
    name: 'two Cluster documents',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: one}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
---
apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: two}
`,
    expected: [
      'bad.yaml:11:7: a second Cluster document: a Clusterfile describes one cluster',
    ],
  },
  {
    name: 'unsupported Cluster apiVersion',
    text: `apiVersion: sealts.io/v2
kind: Cluster
`,
    expected: [
      'bad.yaml:1:13: Cluster apiVersion "sealts.io/v2" is not supported; use sealts.io/v1, sealer.io/v2, sealer.cloud/v2, apps.sealos.io/v1beta1',
    ],
  },
  {
    name: 'passwdFromEnv naming an unset variable',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwdFromEnv: NOT_SET_ANYWHERE}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:6:24: spec.ssh.passwdFromEnv: environment variable NOT_SET_ANYWHERE is not set',
    ],
  },
  {
    name: 'the redaction placeholder as a password',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwd: "[redacted]"}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:6:17: spec.ssh.passwd: "[redacted]" is the placeholder printed instead of a secret; write the real value or use passwdFromEnv',
    ],
  },
  {
    name: 'bastion without host or credentials',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh:
    passwd: s3cret-pass
    bastion: {user: jump}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:8:5: spec.ssh.bastion: missing required field "host"',
      'bad.yaml:8:14: spec.ssh.bastion: no SSH credentials: set spec.ssh.bastion.pk or spec.ssh.bastion.passwd (or run an ssh-agent: SSH_AUTH_SOCK)',
    ],
  },
  {
    name: 'bastion without credentials',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh:
    pk: ~/.ssh/id_ed25519
    bastion: {host: 198.18.0.2}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:8:14: spec.ssh.bastion: no SSH credentials: set spec.ssh.bastion.pk or spec.ssh.bastion.passwd (or run an ssh-agent: SSH_AUTH_SOCK)',
    ],
  },
  {
    name: 'pki: leaf outliving the CA, bad key algorithm, bad SAN',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
  pki:
    caValidityDays: 365
    leafValidityDays: 730
    keyAlgorithm: ed25519
    certSANs: ["bad name!"]
`,
    expected: [
      'bad.yaml:11:23: spec.pki.leafValidityDays: 730 days outlives the CA (caValidityDays 365)',
      'bad.yaml:12:19: spec.pki.keyAlgorithm: must be one of RSA-2048, RSA-3072, RSA-4096, ECDSA-P256; got "ed25519"',
      'bad.yaml:13:16: spec.pki.certSANs[0]: expected a DNS name or an IPv4 address, got "bad name!"',
    ],
  },
  {
    name: 'env: bad key and non-scalar value',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  env:
    1BAD: x
    GOOD: [a]
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:8:5: spec.env: expected a variable name (letters, digits, "_", "." and "-") as key, got "1BAD"',
      'bad.yaml:9:11: spec.env.GOOD: expected a value (string, number or boolean)',
    ],
  },
  {
    name: 'host inside the pod CIDR',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [100.64.0.5], roles: [master]}
`,
    expected: [
      'bad.yaml:8:14: spec.hosts[0].ips[0]: 100.64.0.5 is inside podCIDR 100.64.0.0/10; the cluster CIDRs must not contain host addresses',
    ],
  },
  {
    name: 'kubeadm given a k0s version',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  runtime: {type: kubeadm, version: v1.32.8+k0s.0}
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:6:37: spec.runtime.version: "v1.32.8+k0s.0" is a k0s version; kubeadm takes vMAJOR.MINOR.PATCH',
    ],
  },
  {
    name: 'k0s: a Kubernetes version where k0s wants its release',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  runtime: {type: k0s, version: v1.36.3}
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:6:33: spec.runtime.version: "v1.36.3" is a Kubernetes version; k0s takes its release, vMAJOR.MINOR.PATCH+k0s.N (e.g. v1.36.3+k0s.0)',
    ],
  },
  {
    name: 'k0s: too old a version, and a kubeadm document beside it',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  runtime:
    type: k0s
    version: v1.19.8+k0s.0
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
`,
    expected: [
      'bad.yaml:8:14: spec.runtime.version: Kubernetes v1.19.8+k0s.0 is not supported: sealts deploys v1.22 and later',
      'bad.yaml:14:7: ClusterConfiguration (kubeadm.k8s.io/v1beta4) is a kubeadm document but spec.runtime.type is k0s',
    ],
  },
  {
    name: 'Kubernetes older than 1.22',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  runtime: {version: v1.19.8}
  ssh: {passwd: s3cret-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:6:22: spec.runtime.version: Kubernetes v1.19.8 is not supported: sealts deploys v1.22 and later',
    ],
  },
  {
    name: 'bad ranges and ports in ips',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - ips: [198.18.0.15-198.18.0.11, 198.18.0.250-198.18.1.2, "198.18.0.12:0"]
      roles: [master]
`,
    expected: [
      'bad.yaml:8:13: spec.hosts[0].ips[0]: bad IP range "198.18.0.15-198.18.0.11": the end 198.18.0.11 comes before the start 198.18.0.15',
      'bad.yaml:8:38: spec.hosts[0].ips[1]: bad IP range "198.18.0.250-198.18.1.2": 198.18.0.250 and 198.18.1.2 are not in the same /24',
      'bad.yaml:8:63: spec.hosts[0].ips[2]: 198.18.0.12:0: bad port "0": expected 1..65535',
    ],
  },
  {
    name: 'missing image, hosts not a list, unknown top-level field',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  ssh: {passwd: s3cret-pass}
  hosts: {ips: [198.18.0.11], roles: [master]}
status: {}
`,
    expected: [
      'bad.yaml:4:1: spec: missing required field "image"',
      'bad.yaml:6:10: spec.hosts: expected a list, got a mapping',
      'bad.yaml:7:1: document: unknown field "status"',
    ],
  },
  {
    name: 'a document that is not a mapping',
    text: `- just
- a list
`,
    expected: [
      'bad.yaml:1:1: expected a document with apiVersion and kind',
    ],
  },
  {
    name: 'empty ips and a misspelt role',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - ips: []
      roles: [mastr]
`,
    expected: [
      'bad.yaml:8:12: spec.hosts[0].ips: must not be empty',
      'bad.yaml:9:15: spec.hosts[0].roles[0]: must be one of master, node; got "mastr"',
    ],
  },
  {
    name: 'passwd and passwdFromEnv together',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh:
    passwd: s3cret-pass
    passwdFromEnv: HOME
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`,
    expected: [
      'bad.yaml:8:20: spec.ssh: set either passwd or passwdFromEnv, not both',
    ],
  },
  {
    name: 'sealer: old Kubernetes in the image tag, unsupported field',
    text: `apiVersion: sealer.cloud/v2
kind: Cluster
metadata:
  name: my-cluster
spec:
  image: kubernetes:v1.19.8
  env:
    - key1=value1
    - key2=value2
    - key2=value3
  cmd: [x]
  ssh:
    passwd: xxx-pass
    pk: xxx
    pkPasswd: xxx
    user: root
    port: "2222"
  hosts:
    - ips: [ 192.168.0.2 ]
      roles: [ master ]
      env:
        - etcd-dir=/data/etcd
      ssh:
        user: xxx
        passwd: yyy-pass
        port: "22"
    - ips: [ 192.168.0.3 ]
      roles: [ node,db ]
`,
    expected: [
      'bad.yaml:6:10: spec.image: Kubernetes v1.19.8 is not supported: sealts deploys v1.22 and later',
      'bad.yaml:11:3: spec: unknown field "cmd"',
    ],
  },
  {
    name: 'sealos: no master role, unsupported pkData',
    text: `apiVersion: apps.sealos.io/v1beta1
kind: Cluster
metadata:
  creationTimestamp: null
  name: default
spec:
  hosts:
  - ips:
    - 192.168.0.2:22
    roles:
    - amd64
  image:
  - labring/kubernetes:v1.25.0
  ssh:
    passwd: xxx-pass
    pk: /root/.ssh/id_rsa
    pkData: abc
    port: 22
    user: root
status: {}
`,
    expected: [
      'bad.yaml:8:3: spec.hosts: no master: at least one group needs roles: [master]',
      'bad.yaml:11:5: spec.hosts[0].roles: needs master or node',
      'bad.yaml:17:5: spec.ssh: unknown field "pkData"',
    ],
  },
  {
    name: 'documentation addresses (RFC 5737): the examples\' placeholders, once per entry, ranges and ports included',
    text: `apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ./rootfs-v1.36.3
  ssh:
    pk: ~/.ssh/id_ed25519
    bastion: {host: 203.0.113.10, pk: ~/.ssh/id_ed25519}
  hosts:
    - ips: [192.0.2.11-13]
      roles: [master]
    - ips: [198.18.0.21, 198.51.100.22:2222, 192.0.2.21]
      roles: [node]
      ssh: {bastion: {host: 198.51.100.1, passwd: jump-pass}}
    - ips: [198.18.0.31]
      roles: [node]
      ssh: {bastion: {host: jump.example.com, passwd: jump-pass}}
`,
    expected: [
      "bad.yaml:8:21: spec.ssh.bastion.host: 203.0.113.10 is a documentation address (RFC 5737, 203.0.113.0/24), a placeholder in the examples: replace it with your bastion's address",
      "bad.yaml:10:13: spec.hosts[0].ips[0]: 192.0.2.11 is a documentation address (RFC 5737, 192.0.2.0/24), a placeholder in the examples: replace it with your hosts' addresses",
      "bad.yaml:12:26: spec.hosts[1].ips[1]: 198.51.100.22 is a documentation address (RFC 5737, 198.51.100.0/24), a placeholder in the examples: replace it with your hosts' addresses",
      "bad.yaml:12:46: spec.hosts[1].ips[2]: 192.0.2.21 is a documentation address (RFC 5737, 192.0.2.0/24), a placeholder in the examples: replace it with your hosts' addresses",
      "bad.yaml:14:29: spec.hosts[1].ssh.bastion.host: 198.51.100.1 is a documentation address (RFC 5737, 198.51.100.0/24), a placeholder in the examples: replace it with your bastion's address",
    ],
  },
];

for (const c of cases) {
  test(`rejects: ${c.name}`, () => {
    assert.deepEqual(problems(c.text), c.expected);
  });
}

test('there are at least 25 bad fixtures', () => {
  assert.ok(cases.length >= 25, `only ${cases.length}`);
});

test('rejects: a group bastion without credentials', () => {
  assert.deepEqual(
    problems(`apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: demo}
spec:
  image: ../rootfs
  ssh: {passwd: s3cret-pass}
  hosts:
    - ips: [198.18.0.11]
      roles: [master]
      ssh: {bastion: {host: 198.18.0.2}}
`),
    ['bad.yaml:10:22: spec.hosts[0].ssh.bastion: no SSH credentials: set spec.hosts[0].ssh.bastion.pk or spec.hosts[0].ssh.bastion.passwd (or run an ssh-agent: SSH_AUTH_SOCK)'],
  );
});

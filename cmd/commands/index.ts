// Every command file exports `register(program)`; this list is the whole CLI surface.
import type { Command } from 'commander';
import { register as adopt } from './adopt.js';
import { register as apply } from './apply.js';
import { register as cert } from './cert.js';
import { register as completion } from './completion.js';
import { register as cp } from './cp.js';
import { register as deleteCmd } from './delete.js';
import { register as etcd } from './etcd.js';
import { register as exec } from './exec.js';
import { register as join } from './join.js';
import { register as kubeconfig } from './kubeconfig.js';
import { register as plan } from './plan.js';
import { register as rootfs } from './rootfs.js';
import { register as status } from './status.js';
import { register as upgrade } from './upgrade.js';
import { register as version } from './version.js';

export const registrars: Array<(program: Command) => void> = [
  apply,
  plan,
  adopt,
  join,
  deleteCmd,
  status,
  upgrade,
  kubeconfig,
  cert,
  etcd,
  rootfs,
  exec,
  cp,
  completion,
  version,
];

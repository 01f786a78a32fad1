// From the Clusterfile's view of a host to what the SSH engine needs.
import type { HostSpec } from '../clusterfile/types.js';
import type { Target } from './types.js';

export function targetOf(h: HostSpec): Target {
  return { name: h.ip, ip: h.ip, port: h.ssh.port, ssh: h.ssh, env: h.env };
}

// IPv4 addresses, host lists and CIDRs as written in Clusterfiles and on the command line.
// Host lists accept `a,b`, `ip:port` and ranges `198.18.0.11-198.18.0.15` (or `198.18.0.11-15`).
// Only IPv4: the hosts sealts targets (and the test fleet) are addressed by IPv4.
import { isIPv4 } from 'node:net';
import { UserError } from '../errors/errors.js';

/** A range may not expand to more hosts than this (a typo like .1-.254 on a /16 is caught early). */
export const MAX_RANGE = 256;

export interface HostPort {
  ip: string;
  /** Only when the entry named one (`ip:port`). */
  port?: number;
}

/** Why `text` is not a dotted-quad IPv4 address, or undefined when it is one. */
export function ipv4Problem(text: string): string | undefined {
  if (isIPv4(text)) return undefined;
  const parts = text.split('.');
  if (parts.length !== 4) return `"${text}" is not an IPv4 address`;
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return `"${text}" is not an IPv4 address`;
    if (Number(p) > 255) return `"${text}" is not an IPv4 address: octet ${p} is out of range 0..255`;
    if (p.length > 1 && p.startsWith('0')) return `"${text}" is not an IPv4 address: octet ${p} has a leading zero`;
  }
  return `"${text}" is not an IPv4 address`;
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Why `text` is not a TCP port, or undefined. */
export function portProblem(text: string): string | undefined {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) return `bad port "${text}": expected 1..65535`;
  return undefined;
}

/** Split `ip[:port]`; throws UserError naming the entry. */
export function parseHostPort(entry: string): HostPort {
  const m = /^([^:]*)(?::(.*))?$/.exec(entry.trim())!;
  const ip = m[1]!;
  const problem = ipv4Problem(ip);
  if (problem) throw new UserError(problem);
  if (m[2] === undefined) return { ip };
  const pp = portProblem(m[2]);
  if (pp) throw new UserError(`${entry}: ${pp}`);
  return { ip, port: Number(m[2]) };
}

/** Expand one range `A-B[:port]` where B is a full address or the last octet of A's /24. */
function expandRange(entry: string): HostPort[] {
  const [left, rightWithPort] = entry.split('-', 2) as [string, string];
  const { ip: first } = parseHostPort(left);
  if (left.includes(':')) throw new UserError(`bad IP range "${entry}": put the port after the range (A-B:port)`);
  const colon = rightWithPort.indexOf(':');
  const right = colon < 0 ? rightWithPort : rightWithPort.slice(0, colon);
  const port = colon < 0 ? undefined : parseHostPort(`${first}${rightWithPort.slice(colon)}`).port;
  const last = /^\d+$/.test(right) ? `${first.split('.').slice(0, 3).join('.')}.${right}` : right;
  const problem = ipv4Problem(last);
  if (problem) throw new UserError(`bad IP range "${entry}": ${problem}`);
  const [a, b] = [ipToInt(first), ipToInt(last)];
  if (b < a) throw new UserError(`bad IP range "${entry}": the end ${last} comes before the start ${first}`);
  if (Math.floor(a / 256) !== Math.floor(b / 256)) {
    throw new UserError(`bad IP range "${entry}": ${first} and ${last} are not in the same /24`);
  }
  if (b - a + 1 > MAX_RANGE) throw new UserError(`bad IP range "${entry}": more than ${MAX_RANGE} addresses`);
  const out: HostPort[] = [];
  for (let n = a; n <= b; n++) out.push(port === undefined ? { ip: intToIp(n) } : { ip: intToIp(n), port });
  return out;
}

/** `a,b`, `ip:port`, `A-B` -> every host with its optional port, in order. Throws UserError. */
export function expandHostPorts(spec: string): HostPort[] {
  const entries = spec.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) throw new UserError(`bad IP list "${spec}": empty entry`);
  return entries.flatMap((e) => (/^[\d.]+(:\d*)?-/.test(e) ? expandRange(e) : [parseHostPort(e)]));
}

/** Like expandHostPorts, as strings: `ip` or `ip:port`. */
export function expandIPs(spec: string): string[] {
  return expandHostPorts(spec).map((h) => (h.port === undefined ? h.ip : `${h.ip}:${h.port}`));
}

export interface Cidr {
  text: string;
  base: number;
  bits: number;
}

/** Parse `a.b.c.d/n` with no host bits set; throws UserError. */
export function parseCidr(text: string): Cidr {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) throw new UserError(`"${text}" is not a CIDR (expected a.b.c.d/n)`);
  const problem = ipv4Problem(m[1]!);
  if (problem) throw new UserError(`"${text}" is not a CIDR: ${problem}`);
  const bits = Number(m[2]);
  if (bits > 32) throw new UserError(`"${text}" is not a CIDR: prefix length ${bits} is over 32`);
  const base = ipToInt(m[1]!);
  const size = 2 ** (32 - bits);
  if (base % size !== 0) {
    throw new UserError(`"${text}" is not a CIDR: host bits are set (did you mean ${intToIp(base - (base % size))}/${bits}?)`);
  }
  return { text, base, bits };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const size = 2 ** (32 - c.bits);
  const n = ipToInt(ip);
  return n >= c.base && n < c.base + size;
}

/** RFC 5737's documentation ranges: addresses for examples (sealts' own among them), never a real host's. */
export const DOCUMENTATION_NETS = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'].map(parseCidr);

/** The documentation range `ip` is in (its text, e.g. "192.0.2.0/24"), or undefined. */
export function documentationNet(ip: string): string | undefined {
  return DOCUMENTATION_NETS.find((c) => cidrContains(c, ip))?.text;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const [ea, eb] = [a.base + 2 ** (32 - a.bits), b.base + 2 ** (32 - b.bits)];
  return a.base < eb && b.base < ea;
}

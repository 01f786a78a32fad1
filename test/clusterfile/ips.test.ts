// Host lists (`a,b`, `ip:port`, ranges), as the Clusterfile and the CLI's --masters/--nodes take them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../pkg/errors/errors.js';
import { cidrContains, cidrsOverlap, expandHostPorts, expandIPs, parseCidr } from '../../pkg/clusterfile/index.js';

test('lists, ports and spaces', () => {
  assert.deepEqual(expandIPs('198.18.0.11'), ['198.18.0.11']);
  assert.deepEqual(expandIPs('198.18.0.11, 198.18.0.12:2222'), ['198.18.0.11', '198.18.0.12:2222']);
  assert.deepEqual(expandHostPorts('198.18.0.12:2222,198.18.0.13'), [{ ip: '198.18.0.12', port: 2222 }, { ip: '198.18.0.13' }]);
});

test('ranges: full end address, last octet only, with a port', () => {
  assert.deepEqual(expandIPs('198.18.0.11-198.18.0.13'), ['198.18.0.11', '198.18.0.12', '198.18.0.13']);
  assert.deepEqual(expandIPs('198.18.0.14-16'), ['198.18.0.14', '198.18.0.15', '198.18.0.16']);
  assert.deepEqual(expandIPs('198.18.0.20-198.18.0.20'), ['198.18.0.20']);
  assert.deepEqual(expandIPs('198.18.0.1-2:2222,198.18.0.9'), ['198.18.0.1:2222', '198.18.0.2:2222', '198.18.0.9']);
  assert.equal(expandIPs('10.0.0.0-10.0.0.255').length, 256);
});

const bad: Array<[string, string]> = [
  ['198.18.0.15-198.18.0.11', 'bad IP range "198.18.0.15-198.18.0.11": the end 198.18.0.11 comes before the start 198.18.0.15'],
  ['198.18.0.15-11', 'bad IP range "198.18.0.15-11": the end 198.18.0.11 comes before the start 198.18.0.15'],
  ['198.18.0.250-198.18.1.2', 'bad IP range "198.18.0.250-198.18.1.2": 198.18.0.250 and 198.18.1.2 are not in the same /24'],
  ['10.0.0.0-10.1.0.0', 'bad IP range "10.0.0.0-10.1.0.0": 10.0.0.0 and 10.1.0.0 are not in the same /24'],
  ['198.18.0.1-300', 'bad IP range "198.18.0.1-300": "198.18.0.300" is not an IPv4 address: octet 300 is out of range 0..255'],
  ['198.18.0.1:22-5', 'bad IP range "198.18.0.1:22-5": put the port after the range (A-B:port)'],
  ['198.18.0.256', '"198.18.0.256" is not an IPv4 address: octet 256 is out of range 0..255'],
  ['198.18.0', '"198.18.0" is not an IPv4 address'],
  ['198.18.0.011', '"198.18.0.011" is not an IPv4 address: octet 011 has a leading zero'],
  ['host-11', '"host-11" is not an IPv4 address'],
  ['198.18.0.11:0', '198.18.0.11:0: bad port "0": expected 1..65535'],
  ['198.18.0.11:65536', '198.18.0.11:65536: bad port "65536": expected 1..65535'],
  ['198.18.0.11:ssh', '198.18.0.11:ssh: bad port "ssh": expected 1..65535'],
  ['198.18.0.11,,198.18.0.12', 'bad IP list "198.18.0.11,,198.18.0.12": empty entry'],
  ['', 'bad IP list "": empty entry'],
];

for (const [spec, message] of bad) {
  test(`rejects ${JSON.stringify(spec)}`, () => {
    assert.throws(() => expandIPs(spec), (e: unknown) => e instanceof UserError && e.message === message);
  });
}

test('CIDRs: parse, contain, overlap', () => {
  const svc = parseCidr('10.96.0.0/22');
  assert.ok(cidrContains(svc, '10.96.3.255'));
  assert.ok(!cidrContains(svc, '10.96.4.0'));
  assert.ok(!cidrContains(svc, '10.103.97.2'));
  assert.ok(cidrContains(parseCidr('10.96.0.0/12'), '10.103.97.2'));
  assert.ok(cidrsOverlap(parseCidr('10.0.0.0/8'), svc));
  assert.ok(!cidrsOverlap(parseCidr('100.64.0.0/10'), svc));
  assert.ok(cidrContains(parseCidr('0.0.0.0/0'), '255.255.255.255'));
  assert.throws(() => parseCidr('10.96.0.0'), /is not a CIDR \(expected a\.b\.c\.d\/n\)/);
  assert.throws(() => parseCidr('10.96.0.0/33'), /prefix length 33 is over 32/);
  assert.throws(() => parseCidr('10.96.1.0/16'), /host bits are set \(did you mean 10\.96\.0\.0\/16\?\)/);
});

// Where a wildcard allow-list entry ('*', '*.example.com') may lead: public addresses only.
// A name under a wildcard could resolve — or be re-pointed by whoever controls its DNS — to the
// loopback interface, a private network or the cloud metadata service (169.254.169.254), so the
// address is checked after resolution, at connect time, not only the name before it.
import { lookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';

const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 3], // multicast and reserved, up to 255.255.255.255
] as const) internal.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 127], // unspecified and loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) internal.addSubnet(network, prefix, 'ipv6');

/** Loopback, private, link-local, multicast or otherwise not a public internet address (IPv4-mapped IPv6 included). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export const INTERNAL_ADDRESS_CODE = 'EPOLLBACK_INTERNAL_ADDRESS';

const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 4);
    const blocked = addresses.find((a) => isInternalAddress(a.address));
    if (blocked) {
      const refusal = Object.assign(new Error(`${hostname} resolves to ${blocked.address}, an internal address`), { code: INTERNAL_ADDRESS_CODE });
      return callback(refusal, '', 4);
    }
    const first = addresses[0];
    if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
    return callback(null, first?.address ?? '', first?.family ?? 4);
  });
};

/** The dispatcher for URLs allowed by a wildcard: connects to public addresses only. */
export const publicOnlyDispatcher = new Agent({ connect: { lookup: publicOnlyLookup } });

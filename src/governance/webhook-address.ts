import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be sent. A receiver is any public address; loopback, private, link-local,
 * CGNAT, cloud metadata and other special ranges are refused unless the server was started with
 * `--allow-private-webhooks` — otherwise an admin could probe internal services through the
 * delivery log (status codes and connection errors). The check runs on the address the socket
 * actually connects to (see `guardedLookup`), so a name that resolves differently at delivery time
 * than at registration is caught.
 */

const privateRanges: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'this-network'],
  ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata lives at 169.254.169.254)'],
  ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fc00::', 7, 'ipv6', 'unique local (ULA; cloud metadata lives at fd00:ec2::254)'],
  ['ff00::', 8, 'ipv6', 'multicast'],
  // Prefixes that carry an IPv4 address inside an IPv6 one (NAT64, 6to4, Teredo) could reach any of
  // the ranges above; IPv4-mapped addresses (::ffff:a.b.c.d) are matched by the IPv4 rules.
  ['64:ff9b::', 96, 'ipv6', 'NAT64'],
  ['64:ff9b:1::', 48, 'ipv6', 'NAT64'],
  ['2002::', 16, 'ipv6', '6to4'],
  ['2001::', 32, 'ipv6', 'Teredo'],
];

const blocked = privateRanges.map(([network, prefix, family, why]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, why };
});

/** Why an address may not receive webhooks (e.g. "loopback"), or undefined for a public one. */
export function privateAddressKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return blocked.find(({ list }) => list.check(address, type))?.why;
}

/** The refusal text for an address, naming the flag that allows it. */
export function privateAddressRefusal(host: string, address: string, kind: string): string {
  const shown = host === address ? address : `${host} (${address})`;
  return `${shown} is a ${kind} address; webhooks go to public addresses only, unless the server runs with --allow-private-webhooks`;
}

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request that resolves like the system does and refuses private
 * addresses: the socket connects to the address this returns, so nothing resolves the name a
 * second time between the check and the connection.
 */
export function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true } as { all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    for (const { address } of addresses) {
      const kind = privateAddressKind(address);
      if (kind !== undefined)
        return callback(new PrivateAddressError(privateAddressRefusal(hostname, address, kind)), []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (first === undefined) return callback(new Error(`${hostname} has no address`), []);
    callback(null, first.address, first.family);
  });
}

/** Resolves a host (a name or a literal address) and returns the refusal for its first private address. */
export async function privateAddressOf(hostname: string): Promise<string | undefined> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    const kind = privateAddressKind(host);
    return kind === undefined ? undefined : privateAddressRefusal(host, host, kind);
  }
  return new Promise((resolve, reject) => {
    guardedLookup(host, { all: true }, (error) => {
      if (error instanceof PrivateAddressError) resolve(error.message);
      else if (error) reject(error);
      else resolve(undefined);
    });
  });
}

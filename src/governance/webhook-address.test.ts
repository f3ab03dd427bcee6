import { describe, expect, it } from 'vitest';
import { privateAddressKind, privateAddressOf } from './webhook-address.js';

describe('webhook addresses', () => {
  it('names the range of every address a webhook may not reach, and passes public ones', () => {
    const refused: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['10.0.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['100.127.0.1', 'carrier-grade NAT'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fd00:ec2::254', 'unique local'],
      ['fc00::1', 'unique local'],
      ['0.0.0.0', 'this-network'],
      ['::', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['64:ff9b::7f00:1', 'NAT64'],
      ['2002:7f00:1::', '6to4'],
    ];
    for (const [address, kind] of refused) expect(privateAddressKind(address), address).toContain(kind);
    for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.0.2.10', '2606:4700::1111'])
      expect(privateAddressKind(address), address).toBeUndefined();
  });

  it('resolves names on this machine only: localhost is loopback', async () => {
    expect(await privateAddressOf('localhost')).toMatch(
      /^localhost \((127\.0\.0\.1|::1)\) is a loopback address/,
    );
    expect(await privateAddressOf('[::1]')).toMatch(/^::1 is a loopback address/);
    expect(await privateAddressOf('192.0.2.10')).toBeUndefined();
  });
});

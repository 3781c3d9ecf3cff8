import { checkAddress, parseCidr, parseIp, unmapIpv4 } from './address.guard';

const none: never[] = [];

describe('address guard', () => {
  describe('parseIp', () => {
    it.each([
      ['127.0.0.1', 4, 0x7f000001n],
      ['::1', 6, 1n],
      ['[::1]', 6, 1n],
      ['::', 6, 0n],
      ['fe80::1%eth0', 6, (0xfe80n << 112n) | 1n],
      ['::ffff:127.0.0.1', 6, (0xffffn << 32n) | 0x7f000001n],
      ['::ffff:7f00:1', 6, (0xffffn << 32n) | 0x7f000001n],
      ['1:2:3:4:5:6:7:8', 6, 0x00010002000300040005000600070008n],
      ['1:2:3:4:5:6:1.2.3.4', 6, 0x00010002000300040005000601020304n],
    ])('parses %s', (text, family, value) => {
      expect(parseIp(text)).toEqual({ family, value });
    });

    it.each([
      'example.com',
      '256.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      ':::',
      '',
    ])('rejects %s', (text) => {
      expect(parseIp(text)).toBeNull();
    });
  });

  describe('parseCidr', () => {
    it('normalizes the base and accepts a bare address as a single host', () => {
      expect(parseCidr('10.1.2.3/8')).toMatchObject({ family: 4, base: 0x0a000000n, prefix: 8 });
      expect(parseCidr('::1')).toMatchObject({ family: 6, base: 1n, prefix: 128 });
    });

    it.each(['10.0.0.0/33', '::/129', 'example.com/8', '10.0.0.0/8/1', '10.0.0.0/x', '10.0.0.0/'])(
      'throws on %s',
      (text) => {
        expect(() => parseCidr(text)).toThrow(/CIDR|prefix/);
      },
    );
  });

  it('judges an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(unmapIpv4(parseIp('::ffff:10.0.0.1')!)).toEqual({ family: 4, value: 0x0a000001n });
    expect(unmapIpv4(parseIp('2001:4860::1')!).family).toBe(6);
  });

  describe('checkAddress with an empty allow-list', () => {
    it.each([
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['10.20.30.40', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'metadata'],
      ['100.64.0.1', 'carrier-grade'],
      ['0.0.0.0', 'this-network'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['198.18.0.1', 'benchmarking'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fd00:ec2::254', 'unique local'],
      ['fc00::1', 'unique local'],
      ['fe80::1', 'link-local'],
      ['ff02::1', 'multicast'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:169.254.169.254', 'metadata'],
      ['64:ff9b::a00:1', 'IPv4-embedding'],
      ['2002:7f00:1::', '6to4'],
      ['not-an-ip', 'not an IP address'],
    ])('blocks %s (%s)', (address, reason) => {
      const verdict = checkAddress(address, none);
      expect(verdict.allowed).toBe(false);
      if (!verdict.allowed) expect(verdict.reason).toContain(reason);
    });

    it.each([
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '192.169.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ])('allows the public address %s', (address) => {
      expect(checkAddress(address, none)).toEqual({ allowed: true });
    });
  });

  describe('checkAddress with allowed networks', () => {
    const allowed = ['127.0.0.0/8', 'fd12:3456::/32'].map(parseCidr);

    it('opens exactly the allowed ranges', () => {
      expect(checkAddress('127.0.0.1', allowed)).toEqual({ allowed: true });
      expect(checkAddress('::ffff:127.0.0.1', allowed)).toEqual({ allowed: true });
      expect(checkAddress('fd12:3456::1', allowed)).toEqual({ allowed: true });
      expect(checkAddress('fd12:3457::1', allowed).allowed).toBe(false);
      expect(checkAddress('10.0.0.1', allowed).allowed).toBe(false);
      expect(checkAddress('::1', allowed).allowed).toBe(false);
    });
  });
});

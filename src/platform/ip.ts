import net from 'node:net';

/**
 * IP addresses as numbers, CIDR ranges, and which addresses are not on the public internet (loopback, private,
 * link-local, multicast, reserved…), for outgoing requests a user can aim (webhooks). Input is an address as
 * `dns.lookup` or `URL.hostname` gives it: dotted IPv4 (the URL parser has already turned `127.1`, `0x7f.1` and
 * `2130706433` into `127.0.0.1`) or IPv6, with or without brackets.
 */
export type Ip = { family: 4 | 6; value: bigint };
export type Cidr = { family: 4 | 6; base: bigint; prefix: number };

export function parseIp(input: string): Ip | null {
  const s = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const kind = net.isIP(s);
  if (kind === 4) return { family: 4, value: s.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  if (kind !== 6 || s.includes('%')) return null;
  let text = s.toLowerCase();
  // A trailing dotted IPv4 (::ffff:127.0.0.1) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = parseIp(dotted[1]);
    if (!v4) return null;
    text = `${text.slice(0, -dotted[1].length)}${((v4.value >> 16n) & 0xffffn).toString(16)}:${(v4.value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return null;
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n) };
}

/** `10.0.0.0/8`, `fd00::/8`, or one address (a /32 or /128). Null when it is not one. */
export function parseCidr(input: string): Cidr | null {
  const [addr = '', prefixText, extra] = input.trim().split('/');
  if (extra !== undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) return null;
  return { family: ip.family, base: ip.value & mask(ip.family, prefix), prefix };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = family === 4 ? 32n : 128n;
  const all = (1n << bits) - 1n;
  return prefix === 0 ? 0n : (all >> (bits - BigInt(prefix))) << (bits - BigInt(prefix));
}

export function inCidr(ip: Ip, cidr: Cidr): boolean {
  return ip.family === cidr.family && (ip.value & mask(ip.family, cidr.prefix)) === cidr.base;
}

const cidr = (text: string) => parseCidr(text) as Cidr;

// Not the public internet, with the reason shown to admins. Everything in IPv6 outside 2000::/3 is refused too.
const V4_RANGES: [Cidr, string][] = [
  [cidr('0.0.0.0/8'), 'an unspecified ("this network") address'],
  [cidr('10.0.0.0/8'), 'a private address'],
  [cidr('100.64.0.0/10'), 'a shared (carrier-grade NAT) address'],
  [cidr('127.0.0.0/8'), 'a loopback address'],
  [cidr('169.254.0.0/16'), 'a link-local address (cloud metadata lives here)'],
  [cidr('172.16.0.0/12'), 'a private address'],
  [cidr('192.0.0.0/24'), 'a reserved address'],
  [cidr('192.0.2.0/24'), 'a documentation address'],
  [cidr('192.88.99.0/24'), 'a reserved address'],
  [cidr('192.168.0.0/16'), 'a private address'],
  [cidr('198.18.0.0/15'), 'a benchmarking address'],
  [cidr('198.51.100.0/24'), 'a documentation address'],
  [cidr('203.0.113.0/24'), 'a documentation address'],
  [cidr('224.0.0.0/4'), 'a multicast address'],
  [cidr('240.0.0.0/4'), 'a reserved or broadcast address'],
];
const V6_RANGES: [Cidr, string][] = [
  [cidr('::/128'), 'an unspecified address'],
  [cidr('::1/128'), 'a loopback address'],
  [cidr('::/96'), 'a reserved (IPv4-compatible) address'],
  [cidr('64:ff9b:1::/48'), 'a local NAT64 address'],
  [cidr('100::/64'), 'a discard address'],
  [cidr('2001::/23'), 'a reserved (IETF, Teredo) address'],
  [cidr('2001:db8::/32'), 'a documentation address'],
  [cidr('3fff::/20'), 'a documentation address'],
  [cidr('fc00::/7'), 'a unique-local (private) address'],
  [cidr('fe80::/10'), 'a link-local address'],
  [cidr('fec0::/10'), 'a site-local address'],
  [cidr('ff00::/8'), 'a multicast address'],
];
const MAPPED = cidr('::ffff:0:0/96');
const NAT64 = cidr('64:ff9b::/96');
const SIX_TO_FOUR = cidr('2002::/16');
const GLOBAL_UNICAST = cidr('2000::/3');

/** The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), which is where a connection really goes. */
export function embeddedIpv4(ip: Ip): Ip | null {
  if (ip.family !== 6) return null;
  if (inCidr(ip, MAPPED) || inCidr(ip, NAT64)) return { family: 4, value: ip.value & 0xffffffffn };
  if (inCidr(ip, SIX_TO_FOUR)) return { family: 4, value: (ip.value >> 80n) & 0xffffffffn };
  return null;
}

/** Why this address is not a public internet address, or null when it is one. */
export function nonPublicReason(ip: Ip): string | null {
  const v4 = embeddedIpv4(ip);
  if (v4) return nonPublicReason(v4);
  for (const [range, reason] of ip.family === 4 ? V4_RANGES : V6_RANGES) if (inCidr(ip, range)) return reason;
  if (ip.family === 6 && !inCidr(ip, GLOBAL_UNICAST)) return 'a reserved address';
  return null;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((ip.value >> s) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type Cidr, embeddedIpv4, formatIp, type Ip, inCidr, nonPublicReason, parseIp } from '../../platform/ip.js';

/** A name's addresses, as `dns.lookup` gives them. */
export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

const RESOLVE_TIMEOUT_MS = 5_000;

export const systemResolve: Resolve = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/** A target Lifeline will not post to, and why (shown to admins; it never says whether anything answered). */
export class EgressRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'EgressRefused';
  }
}

/** The name did not resolve (maybe for now): worth another try later. */
export class EgressUnresolved extends Error {
  constructor(readonly host: string) {
    super(`could not resolve ${host}`);
    this.name = 'EgressUnresolved';
  }
}

export type Checked = { url: URL; addresses: { address: string; family: 4 | 6 }[] };

/**
 * Where outgoing requests a user can aim (webhooks) may go: public internet addresses only, unless an admin
 * allows a range (WEBHOOK_ALLOW_PRIVATE). The check runs on the addresses the name resolves to — every one of
 * them — and the connection is then pinned to those addresses, so a DNS answer that changes between the check
 * and the connect (a rebind) cannot send it elsewhere. Redirects are never followed.
 */
export class Egress {
  constructor(
    private readonly allow: Cidr[],
    /** Replaceable for tests, which cannot make a public name resolve to their own addresses otherwise. */
    public resolve: Resolve = systemResolve,
  ) {}

  /** The URL's addresses, all checked; EgressRefused or EgressUnresolved otherwise. */
  async check(target: string | URL): Promise<Checked> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new EgressRefused('it is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EgressRefused(`${url.protocol} is not http or https`);
    if (url.username || url.password) throw new EgressRefused('the URL carries a user name or password');
    const host = url.hostname;
    const literal = parseIp(host);
    let found: { address: string; family: number }[];
    if (literal) found = [{ address: formatIp(literal), family: literal.family }];
    else {
      try {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), RESOLVE_TIMEOUT_MS);
        });
        found = await Promise.race([this.resolve(host), timeout]).finally(() => clearTimeout(timer));
      } catch {
        throw new EgressUnresolved(host);
      }
      if (found.length === 0) throw new EgressUnresolved(host);
    }
    const addresses: Checked['addresses'] = [];
    for (const { address } of found) {
      const ip = parseIp(address);
      if (!ip) throw new EgressRefused(`${host} resolves to ${address}, which is not an IP address`);
      const reason = this.allowed(ip) ? null : nonPublicReason(ip);
      if (reason) throw new EgressRefused(`${literal ? host : `${host} resolves to ${address}, which`} is ${reason}`);
      addresses.push({ address, family: ip.family });
    }
    return { url, addresses };
  }

  private allowed(ip: Ip): boolean {
    const v4 = embeddedIpv4(ip);
    return this.allow.some((range) => inCidr(ip, range) || (v4 !== null && inCidr(v4, range)));
  }

  /**
   * GETs or HEADs a checked target (monitors), connecting only to its checked addresses: the status and at most
   * `maxBodyBytes` of the body (the rest is never read). A redirect is an answer like any other, not followed.
   */
  fetch(target: Checked, method: 'GET' | 'HEAD', timeoutMs: number, maxBodyBytes: number): Promise<{ status: number; body: Buffer }> {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      const first = target.addresses[0] as { address: string; family: 4 | 6 };
      if ((options as { all?: boolean }).all) (callback as unknown as (err: null, all: typeof target.addresses) => void)(null, target.addresses);
      else callback(null, first.address, first.family);
    };
    const client = target.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const timeout = () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
      const req = client.request(target.url, { method, headers: { 'user-agent': 'Lifeline-Monitor/1' }, lookup: pinned, agent: false, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, maxBodyBytes) });
          res.destroy();
        };
        if (method === 'HEAD' || maxBodyBytes === 0) return done();
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= maxBodyBytes) done();
        });
        res.on('end', done);
        res.on('error', reject);
      });
      // The whole answer, not only the connect, must come within the timeout.
      const timer = setTimeout(timeout, timeoutMs);
      req.on('timeout', timeout);
      req.on('error', reject);
      req.on('close', () => clearTimeout(timer));
      req.end();
    });
  }

  /**
   * POSTs `body` to a checked target, connecting only to its checked addresses. Answers the status; the
   * answer's body is not read. A redirect is an answer like any other (3xx), not followed.
   */
  post(target: Checked, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      const first = target.addresses[0] as { address: string; family: 4 | 6 };
      if ((options as { all?: boolean }).all) (callback as unknown as (err: null, all: typeof target.addresses) => void)(null, target.addresses);
      else callback(null, first.address, first.family);
    };
    const client = target.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        target.url,
        { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: pinned, agent: false, timeout: timeoutMs },
        (res) => {
          res.resume();
          res.on('error', () => {});
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), timeoutMs);
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
  }
}

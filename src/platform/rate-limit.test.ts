import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowLimiter } from './rate-limit.js';

test('a window limiter counts per client (IPv6 by /64), is capped, and forgets at the end of its window', () => {
  let now = 1_000_000;
  const limiter = new WindowLimiter({ limit: 2, windowMs: 60_000, maxClients: 3, now: () => now });
  assert.equal(limiter.hit('192.0.2.1').result, 'ok');
  assert.equal(limiter.hit('::ffff:192.0.2.1').result, 'ok', 'an IPv4-mapped address is the IPv4 client');
  const over = limiter.hit('192.0.2.1');
  assert.equal(over.result, 'limited');
  assert.equal(over.retryAfterS, 60);
  assert.equal(limiter.hit('2001:db8:1:2::1').result, 'ok');
  assert.equal(limiter.hit('2001:db8:1:2:ffff::9').result, 'ok');
  assert.equal(limiter.hit('2001:db8:1:2::77').result, 'limited', 'a whole /64 is one client');
  assert.equal(limiter.hit('198.51.100.7').result, 'ok');
  assert.equal(limiter.size, 3);
  // Full: a client not yet counted is not remembered (memory stays bounded); those counted go on as before.
  assert.equal(limiter.hit('203.0.113.5').result, 'full');
  assert.equal(limiter.hit('203.0.113.6').result, 'full');
  assert.equal(limiter.size, 3);
  assert.equal(limiter.hit('198.51.100.7').result, 'ok');
  now += 30_000;
  assert.equal(limiter.hit('192.0.2.1').retryAfterS, 30);
  now += 30_000;
  assert.equal(limiter.hit('192.0.2.1').result, 'ok', 'a new window starts afresh');
  assert.equal(limiter.hit('203.0.113.5').result, 'ok');
  assert.equal(limiter.size, 2);
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

// Review of merging people as an attacker (or two admins at once): the checks ran before the merge's transaction,
// so "merge A into B" and "merge B into A" at the same time both passed them and both ran: each person's tickets
// went to the other and both ended deactivated, leaving their tickets with a requester no one can sign in as.

describe('merging two people at once, both ways', () => {
  let t: TestApp;
  let admin: Session;
  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
  });
  after(() => t.close());

  test('exactly one merge happens; the other is refused and changes nothing', async () => {
    for (let round = 0; round < 4; round++) {
      const a = await t.signIn('customer', { email: `a${round}@example.org` });
      const b = await t.signIn('customer', { email: `b${round}@example.org` });
      await t.make.ticket(a, { subject: `A's problem ${round}` });
      await t.make.ticket(b, { subject: `B's problem ${round}` });
      const [ab, ba] = await Promise.all([
        t.as(admin).post(`/api/v1/users/${a.user.id}/merge`, { duplicateId: b.user.id }),
        t.as(admin).post(`/api/v1/users/${b.user.id}/merge`, { duplicateId: a.user.id }),
      ]);
      assert.deepEqual([ab.status, ba.status].sort(), [200, 422], `round ${round}: ${ab.raw} / ${ba.raw}`);
      const refused = ab.status === 200 ? ba : ab;
      assert.equal(refused.body.code, 'CANNOT_MERGE_PEOPLE');
      const active = await Promise.all([a, b].map(async (p) => (await t.as(admin).get(`/api/v1/users/${p.user.id}`)).body.active));
      assert.deepEqual(active.sort(), [false, true], `round ${round}: one survivor`);
      const survivor = ab.status === 200 ? a : b;
      const tickets = await t.count(`tickets where requester_id = '${survivor.user.id}'`);
      assert.equal(tickets, 2, `round ${round}: both tickets with the survivor`);
    }
  });
});

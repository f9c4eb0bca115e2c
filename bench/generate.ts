import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { rowsOf } from '../src/db/client.js';

/**
 * Fills a database with realistic support data straight in SQL (fast enough for a million tickets):
 * organisations, customers, agents in L1/L2/L3/Management, and tickets with 1–10 messages, with skewed
 * state and priority distributions and text built from a support vocabulary. A ticket's `created` event has the
 * state it was created in (new); bench/reports.ts adds the changes that brought it to its current state.
 *
 * States as a desk two years in has them: a ticket is still unsolved with probability 1 % + 85 % · e^(−age/14 days)
 * (~2.6 % of all tickets, 60 % of them from the last four weeks; a quarter of those new, 45 % open, 20 % pending,
 * 10 % on hold); the rest were solved 0.5–72 h after creation (median ~18 h), and closed four days after the solve.
 * Nothing happens in the future: solves, closes and messages of a recent ticket are squeezed into its age so far.
 */

const SUBJECT_PARTS = {
  what: ['Cannot sync', 'Sync fails', 'Export times out', 'Password reset not received', 'Login page error', 'Dashboard shows stale data', 'App crashes on start', 'Duplicate cases', 'SMS reminders stopped', 'PDF download fails', 'Slow report', 'Cannot submit form', 'Missing translation', 'User locked out', 'Wrong totals in report', 'Map does not load', 'Case list empty', 'Attachment upload fails', 'Invite email bounced', 'Two-factor code rejected'],
  where: ['on Android 8', 'for all field workers', 'in Block 4', 'since the update', 'on the web app', 'after migration', 'for district supervisors', 'in the monthly export', 'on iOS', 'since this morning'],
};
const BODY_SENTENCES = [
  'Several users in the district report the same problem since yesterday.',
  'We tried clearing the cache and reinstalling the app without success.',
  'The error message says "request timed out" after about thirty seconds.',
  'This blocks the weekly reporting deadline for the program team.',
  'Attached is a screenshot of the error and the application logs.',
  'It works on wifi but not on mobile data.',
  'Could you check whether something changed on the server?',
  'The supervisor dashboard still shows last week numbers.',
  'Our hosted environment is on the enterprise plan.',
  'Please advise on a workaround until a fix is released.',
  'The password reset email never arrives, not even in spam.',
  'Thanks for the quick answer, that fixed it for us.',
];

export type Population = { organizations: number; customers: number; agentsPerGroup: number };

export async function generateBase(db: Db, pop: Population): Promise<void> {
  await db.execute(sql`
    insert into organizations (name, domains, notes, shared_tickets, created_at)
    select 'Bench Org ' || i, array['benchorg' || i || '.example'], 'generated', i % 3 = 0, now()
    from generate_series(1, ${pop.organizations}) i
    on conflict do nothing`);
  await db.execute(sql`
    insert into groups (name, description, created_at)
    select n, 'generated tier', now() from unnest(array['L1','L2','L3','Management']) n
    on conflict do nothing`);
  await db.execute(sql`
    insert into users (email, name, role, organization_id, created_at)
    select 'customer' || i || '@benchorg' || (1 + i % ${pop.organizations}) || '.example', 'Customer ' || i, 'customer',
           (select id from organizations where name = 'Bench Org ' || (1 + i % ${pop.organizations})), now()
    from generate_series(1, ${pop.customers}) i
    on conflict do nothing`);
  await db.execute(sql`
    insert into users (email, name, role, created_at)
    select 'agent-' || lower(g.name) || '-' || i || '@bench.example', g.name || ' agent ' || i, 'agent', now()
    from groups g, generate_series(1, ${pop.agentsPerGroup}) i
    on conflict do nothing`);
  await db.execute(sql`
    insert into group_members (group_id, user_id)
    select g.id, u.id from groups g join users u on u.email like 'agent-' || lower(g.name) || '-%@bench.example'
    on conflict do nothing`);
}

/** Adds `count` tickets (in batches) with their messages and creation events. */
export async function generateTickets(db: Db, count: number, onProgress: (done: number) => void = () => {}): Promise<void> {
  await db.execute(sql`drop table if exists bench_customers`);
  await db.execute(sql`create temp table bench_customers as select row_number() over (order by id) - 1 as rn, id, organization_id from users where role = 'customer'`);
  await db.execute(sql`drop table if exists bench_agents`);
  await db.execute(sql`create temp table bench_agents as
    select g.name as tier, row_number() over (partition by g.name order by u.id) - 1 as rn, u.id, g.id as group_id
    from groups g join group_members m on m.group_id = g.id join users u on u.id = m.user_id`);
  const [c] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from bench_customers`));
  const [a] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from bench_agents where tier = 'L1'`));
  const customers = c?.n ?? 1;
  const agents = a?.n ?? 1;
  const what = sql.raw(`array[${SUBJECT_PARTS.what.map(lit).join(',')}]`);
  const where = sql.raw(`array[${SUBJECT_PARTS.where.map(lit).join(',')}]`);
  const sentences = sql.raw(`array[${BODY_SENTENCES.map(lit).join(',')}]`);
  const batch = 50_000;
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    await db.execute(sql`
      with picks as (
        select g,
          random() as rs, random() as rp, random() as rg, random() as ra, random() as rt, random() as ru,
          interval '30 minutes' + power(random(), 2) * interval '71.5 hours' as resolution,
          (${what})[1 + floor(random() * ${SUBJECT_PARTS.what.length})::int] || ' ' || (${where})[1 + floor(random() * ${SUBJECT_PARTS.where.length})::int] as subject,
          (${sentences})[1 + floor(random() * ${BODY_SENTENCES.length})::int] || ' ' || (${sentences})[1 + floor(random() * ${BODY_SENTENCES.length})::int] as body,
          date_trunc('milliseconds', now() - random() * interval '730 days') as created,
          floor(random() * ${customers})::int as crn
        from generate_series(1, ${n}) g),
      solving as (
        select p.*,
          p.ru < 0.01 + 0.85 * exp(-extract(epoch from now() - p.created) / ${14 * 86_400}) as unsolved,
          least(p.created + p.resolution, p.created + (now() - p.created) * 0.9) as solved
        from picks p),
      shaped as (
        select p.*,
          case when unsolved then (case when rs < 0.25 then 'new' when rs < 0.70 then 'open' when rs < 0.90 then 'pending' else 'on_hold' end)
               when solved < now() - interval '4 days' then 'closed' else 'solved' end as status,
          case when rp < 0.02 then 'P1' when rp < 0.10 then 'P2' when rp < 0.30 then 'P3' when rp < 0.85 then 'P4' else 'P5' end as prio,
          case when rg < 0.50 then 'L1' when rg < 0.80 then 'L2' when rg < 0.95 then 'L3' else 'Management' end as tier
        from solving p),
      ins as (
        insert into tickets (subject, status, status_category, priority_id, priority_rank, type, requester_id, organization_id,
                             assignee_id, group_id, channel, tags, created_at, updated_at, solved_at, closed_at, search_vector)
        select s.subject, s.status, s.status, pr.id, pr.rank,
          (array['bug','question','feature_request','account_access','feedback'])[1 + floor(s.rt * 5)::int],
          bc.id, bc.organization_id,
          case when s.status = 'new' then null else ag.id end, ag.group_id,
          (array['email','email','email','web','api','phone','slack','widget'])[1 + floor(s.ra * 8)::int],
          case when s.rt < 0.3 then array[(array['sync','export','login','sms','android','ios','report'])[1 + floor(s.rs * 7)::int]] else '{}'::text[] end,
          s.created, least(s.created + interval '2 hours', now()),
          case when s.status in ('solved','closed') then s.solved end,
          case when s.status = 'closed' then s.solved + interval '4 days' end,
          setweight(to_tsvector('english', s.subject), 'A') || setweight(to_tsvector('english', 'Customer ' || bc.rn || ' ' || s.body), 'B')
        from shaped s
        join bench_customers bc on bc.rn = s.crn
        join priorities pr on pr.scheme_key = 'commcare' and pr.key = s.prio
        join lateral (select id, group_id from bench_agents where tier = s.tier and rn = floor(s.ra * ${agents})::int % (select count(*) from bench_agents b2 where b2.tier = s.tier) limit 1) ag on true
        returning id, requester_id, assignee_id, channel, created_at, status)
      , msgs as (
        insert into messages (ticket_id, author_id, public, direction, channel, body_text, body_html, created_at)
        select i.id,
          case when k % 2 = 1 then i.requester_id else coalesce(i.assignee_id, i.requester_id) end,
          k % 5 <> 4, case when k % 2 = 1 then 'inbound' when k % 5 = 4 then 'internal' else 'outbound' end, i.channel,
          (${sentences})[1 + (k * 7 + length(i.id::text)) % ${BODY_SENTENCES.length}],
          '<p>' || (${sentences})[1 + (k * 7 + length(i.id::text)) % ${BODY_SENTENCES.length}] || '</p>',
          i.created_at + least(k * interval '1 hour', (now() - i.created_at) * k / 12)
        from ins i
        cross join lateral generate_series(1, 1 + floor(power(random(), 2) * 10)::int) k
        returning 1)
      insert into ticket_events (ticket_id, actor_id, kind, to_value, public, at)
      select i.id, i.requester_id, 'created', jsonb_build_object('status', 'new'), true, i.created_at from ins i`);
    onProgress(done + n);
  }
  await db.execute(sql`analyze`);
}

function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

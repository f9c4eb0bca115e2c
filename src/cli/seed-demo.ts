import type { Services } from '../app.js';
import type { Actor } from '../platform/auth.js';
import { type Clock, FakeClock } from '../platform/clock.js';
import { CSAT_STEP } from '../modules/csat/csat.service.js';
import { REPORTS_STEP } from '../modules/reports/store.service.js';
import type { User } from '../modules/people/people.service.js';

/** A small deterministic PRNG, so the demo is the same on every machine. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SUBJECTS = [
  ['Cannot sync forms from the field', 'Since this morning several FLWs in Block 4 get "sync failed" when they submit. Phones are online.'],
  ['Report export times out', 'The monthly indicators export spins and then shows a gateway timeout.'],
  ['Password reset email never arrives', 'I requested a reset three times; nothing in inbox or spam.'],
  ['Please add a Swahili translation', 'Our supervisors would like the app menus in Swahili.'],
  ['Dashboard shows stale numbers', 'Numbers on the program dashboard have not changed since Friday.'],
  ['Login page returns 500', 'Users see an internal server error when logging in on the web.'],
  ['How do I move a user to another location?', 'A worker moved districts; how do I reassign their cases?'],
  ['Duplicate cases after update', 'After the last app update some cases appear twice in the case list.'],
  ['Feature request: bulk close cases', 'It would save hours if supervisors could close cases in bulk.'],
  ['App crashes on older Android phones', 'On Android 8 devices the app closes right after the splash screen.'],
  ['SMS reminders stopped', 'Beneficiaries stopped receiving visit reminders two days ago.'],
  ['Cannot download PDF of the form', 'PDF export fails for forms with images.'],
];
const REPLIES = [
  'Thanks for reporting this. Could you tell us the app version and a username affected?',
  'We have reproduced the problem and passed it to engineering.',
  'A fix has been deployed. Could you confirm it works for you now?',
  'It works again, thank you!',
  'Still seeing the problem on two phones.',
  'Here is a workaround until the fix is released: clear the app cache and sync again.',
];
const FIRST_REPLIES = [REPLIES[0], REPLIES[5], 'Thanks for the details. We are looking into it and will update you shortly.'] as string[];
const FOLLOW_UPS = [
  'It is version 4.2.1; the user is fw.block4. It happens on every submit.',
  'Still seeing the problem on two phones.',
  'Any news on this? Our supervisors are asking.',
  'Attached the screenshot you asked for.',
] as string[];
const WORKING_ON_IT = [REPLIES[1], 'We found the cause and a fix is being tested; we will let you know when it is out.'] as string[];
const ANSWERS = [
  'You can move a user under Users → Edit → Location; their open cases move with them.',
  'This is a known issue fixed in version 4.2.2: please update the app from the store and sync again.',
  'The reset mail was held by your mail server; we have sent it again from a different address.',
] as string[];
const FIXED = 'A fix has been deployed. Could you confirm it works for you now?';
const CONFIRMED = 'It works again, thank you!';
const REOPENED = 'It happened again this morning on two phones, sorry.';


const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How far back the demo's history starts: the Reports dashboard's default period is the last 30 days. */
const HISTORY_DAYS = 30;
/** The demo team works 08:00–18:00 UTC on weekdays; mail that arrives after hours waits for the morning. */
const WORK_START_HOUR = 8;
const WORK_END_HOUR = 18;
const SWEEP_EVERY = 12 * HOUR;

const isWorkTime = (t: number) => {
  const d = new Date(t);
  const day = d.getUTCDay();
  return day >= 1 && day <= 5 && d.getUTCHours() >= WORK_START_HOUR && d.getUTCHours() < WORK_END_HOUR;
};

/** `t` when the team is at work then, else the next morning's opening. */
function nextWorkTime(t: number): number {
  if (isWorkTime(t)) return t;
  const d = new Date(t);
  let open = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), WORK_START_HOUR);
  if (open <= t) open += DAY;
  while (!isWorkTime(open)) open += DAY;
  return open;
}

/** The documented password of the demo's staff when seeded from the terminal (`seed --demo`). */
const DEMO_PASSWORD = 'demo-password-123';

/** The same services on the same database, on another clock: the seed's own, which it moves through the demo's history. */
export type ServicesWithClock = (clock: Clock) => Services;

/**
 * Fills the desk with a demo that has a history: 300 tickets over the last 30 days, answered, followed up,
 * escalated, solved, reopened and closed at the times a real team would have, through the same commands as
 * real use (so events, SLA clocks and report rows are what they would be; the reporting store is rebuilt from
 * the events at the end, and nothing is sent: see `replayWithout`). `services` is the caller's: only its
 * clock is read, as the end of that history. The work runs on `withClock`'s services, whose clock the seed sets
 * to each step's time — never the caller's, which a running server shares with its requests.
 * `staffPassword`: the demo staff's password; first-run setup passes the new admin's own (never the documented one).
 */
export async function seedDemo(services: Services, withClock: ServicesWithClock, options: { staffPassword?: string } = {}) {
  // Whole minutes, so a history replayed from the same instant is the same.
  const end = Math.floor(services.ctx.clock.now().getTime() / MINUTE) * MINUTE;
  const clock = new FakeClock(new Date(end - (HISTORY_DAYS + 1) * DAY));
  const s = withClock(clock);
  // A replay: the history's mail, satisfaction surveys and pages are not sent now (a server on the same database
  // ran those ~1,800 jobs while the seed went on, on the same CPU and PGlite's one connection), and the reporting
  // store is rebuilt once at the end from the events instead of folded by every one of the ~2,000 commands (a
  // third of their database time).
  s.tickets.events.replayWithout([REPORTS_STEP, CSAT_STEP]);
  try {
    return await seedHistory(s, clock, end, options.staffPassword);
  } finally {
    for (const m of [...s.modules].reverse()) await m.stop?.();
    s.email.outbound.close();
  }
}

async function seedHistory(s: Services, clock: FakeClock, end: number, chosenPassword: string | undefined) {
  const staffPassword = chosenPassword ?? DEMO_PASSWORD;
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  /** Around `median` (skewed: a few waits are much longer than most), as real response times are. */
  const around = (median: number) => median * Math.exp((rand() + rand() + rand() - 1.5) * 1.4);
  const { people, tickets, settings } = s;

  const orgs = await Promise.all(
    [
      { name: 'Acme Health', domains: ['acmehealth.example'], sharedTickets: true, notes: 'Enterprise plan; hosted environment' },
      { name: 'Riverside District', domains: ['riverside.example'], sharedTickets: false, notes: 'District helpdesk; escalates to program' },
      { name: 'Northwind Labs', domains: ['northwind.example'], sharedTickets: true, notes: 'Pilot customer' },
    ].map(async (o) => (await people.findOrganizationByName(o.name)) ?? people.createOrganization({ ...o, customFields: {} })),
  );

  const staff = async (email: string, name: string, role: 'agent' | 'light_agent' | 'admin') =>
    (await people.findUserByEmail(email)) ?? people.createUser({ email, name, role, password: staffPassword });
  const agents = {
    l1: [await staff('amina@lifeline.example', 'Amina Diallo', 'agent'), await staff('ben@lifeline.example', 'Ben Okafor', 'agent')],
    l2: [await staff('chen@lifeline.example', 'Chen Wei', 'agent'), await staff('dana@lifeline.example', 'Dana Ruiz', 'agent')],
    l3: [await staff('eli@lifeline.example', 'Eli Novak', 'agent')],
    mgmt: [await staff('fatima@lifeline.example', 'Fatima Khan', 'admin')],
  };
  await staff('gus@lifeline.example', 'Gus Light', 'light_agent');

  const group = async (name: string, members: User[], escalatesToId: string | null) =>
    (await people.findGroupByName(name)) ??
    people.createGroup({ name, description: `${name} support tier`, escalatesToId, memberIds: members.map((m) => m.id) });
  const mgmt = await group('Management', agents.mgmt, null);
  const l3 = await group('L3', agents.l3, mgmt.id);
  const l2 = await group('L2', agents.l2, l3.id);
  const l1 = await group('L1', agents.l1, l2.id);
  const tiers = [
    { g: l1, members: agents.l1 },
    { g: l2, members: agents.l2 },
    { g: l3, members: agents.l3 },
  ];

  const customers: User[] = [];
  for (let i = 0; i < 30; i++) {
    const org = orgs[i % orgs.length] as (typeof orgs)[number];
    const domain = org.domains[0] as string;
    const email = `user${i + 1}@${domain}`;
    customers.push((await people.findUserByEmail(email)) ?? (await people.createUser({ email, name: `Customer ${i + 1}`, role: 'customer' })));
  }

  // Targets on the CommCare priorities, around the clock, so the demo's lists and tickets show their clocks.
  const allDay = (await s.calendars.list()).find((c) => c.alwaysOpen);
  if (allDay && !(await s.sla.listPolicies()).some((p) => p.name === 'Demo targets')) {
    await s.sla.createPolicy({
      name: 'Demo targets',
      position: 100,
      active: true,
      condition: { all: [] },
      calendarId: allDay.id,
      targets: { P1: { first_response: 30, periodic_update: 60, resolution: 240 }, P2: { first_response: 120, resolution: 480 }, P3: { first_response: 480 }, P4: { first_response: 1440 }, P5: { first_response: 2880 } },
      pauses: { pending: ['first_response', 'next_response', 'periodic_update', 'resolution'], on_hold: ['first_response', 'next_response', 'periodic_update'] },
      warnPercent: 75,
    });
  }

  const priorities = await settings.activePriorities();
  const types = ['bug', 'question', 'feature_request', 'account_access', 'feedback'];
  const actorOf = (u: User): Actor => ({ userId: u.id, role: u.role, organizationId: u.organizationId, email: u.email, name: u.name, via: 'session', scopes: null, csrfToken: null });
  const say = (body: string, status?: string) => ({ body, format: 'markdown' as const, public: true, attachmentIds: [], ...(status ? { status } : {}) });
  const note = (body: string) => ({ body, format: 'markdown' as const, public: false, attachmentIds: [] });

  // Each ticket's life is planned first (deterministically), as steps at times; then every step of every ticket
  // runs in time order with the clock set to its time. Steps that would fall after now have not happened yet:
  // the recent tickets are the open backlog, in whatever state their history reached.
  type Step = { at: number; seq: number; run: () => Promise<unknown> };
  const steps: Step[] = [];
  const plan = (at: number, run: () => Promise<unknown>) => {
    steps.push({ at: Math.round(at / 1000) * 1000, seq: steps.length, run });
    return at;
  };
  // First replies, in minutes, by priority (P1 first): urgent tickets are answered within minutes.
  const firstReplyMinutes = [6, 20, 45, 90, 150];
  for (let i = 0; i < 300; i++) {
    const requester = pick(customers);
    // Most tickets stay in L1; fewer reach L2 and L3.
    const t = rand();
    let tierIndex = t < 0.5 ? 0 : t < 0.83 ? 1 : 2;
    const tier = tiers[tierIndex] as (typeof tiers)[number];
    const [subject, description] = pick(SUBJECTS) as [string, string];
    // Skewed like a real queue: few urgent tickets, many normal ones.
    const r = rand();
    const rank = r < 0.03 ? 0 : r < 0.12 ? 1 : r < 0.35 ? 2 : r < 0.85 ? 3 : 4;
    const priority = priorities[rank] ?? priorities[0];
    let agent = pick(tier.members);
    // Mostly on weekdays in working hours; some arrive at night or at the weekend and wait for the morning.
    const afterHours = rand() < 0.15;
    let created = end - between(10 * MINUTE, HISTORY_DAYS * DAY);
    for (let tries = 0; tries < 50 && isWorkTime(created) === afterHours; tries++) created = end - between(10 * MINUTE, HISTORY_DAYS * DAY);
    const ticket = { id: '' };
    const form = {
      subject,
      description,
      format: 'markdown' as const,
      requesterId: requester.id,
      groupId: tier.g.id,
      priority: priority?.key,
      type: pick(types),
      channel: pick(['email', 'email', 'email', 'web', 'phone', 'slack'] as const),
      tags: rand() < 0.4 ? [pick(['sync', 'export', 'login', 'sms', 'android'])] : [],
      customFields: {},
      followerIds: [],
      cc: [],
      attachmentIds: [],
    };
    plan(created, async () => {
      ticket.id = (await tickets.create(actorOf(agent), form)).ticket.id;
    });
    // An agent acts when at work, `minutes` (around) after `from`; a customer at any hour.
    const agentAfter = (from: number, minutes: number) => {
      const at = from + around(minutes) * MINUTE;
      return isWorkTime(at) ? at : nextWorkTime(at) + between(5, 50) * MINUTE;
    };
    const customerAfter = (from: number, minutes: number) => from + around(minutes) * MINUTE;
    const by = (u: () => User, step: (actor: Actor) => Promise<unknown>) => () => step(actorOf(u()));

    // A few of the last day and a half's tickets nobody has picked up yet (the queue's "new", some overdue).
    if (created > end - 36 * HOUR && rand() < 0.3) continue;
    // The first public reply (which makes its author the assignee); now and then a queue is busy and it is late.
    const slow = rand() < 0.06 ? between(4, 10) : 1;
    const firstReplyAt = agentAfter(created, (firstReplyMinutes[rank] ?? 200) * slow);
    if (rand() < 0.25) {
      // Answered at once: the how-to or the known fix, and the customer says thanks (or nothing).
      let now = plan(firstReplyAt, by(() => agent, (a) => tickets.addMessage(a, ticket.id, say(pick(ANSWERS), 'pending'))));
      if (rand() < 0.6) now = plan(customerAfter(now, 120), by(() => requester, (a) => tickets.addMessage(a, ticket.id, say(CONFIRMED))));
      now = plan(agentAfter(now + between(0.2, 2) * DAY, 30), by(() => agent, (a) => tickets.update(a, ticket.id, { status: 'solved' })));
      if (rand() < 0.8) plan(nextWorkTime(now + 4 * DAY), by(() => agent, (a) => tickets.update(a, ticket.id, { status: 'closed' })));
      continue;
    }
    let now = plan(firstReplyAt, by(() => agent, (a) => tickets.addMessage(a, ticket.id, say(pick(FIRST_REPLIES), 'pending'))));

    // A few rounds with the customer: they answer, the agent works on it.
    const rounds = Math.floor(rand() * 3);
    for (let k = 0; k < rounds; k++) {
      now = plan(customerAfter(now, 150), by(() => requester, (a) => tickets.addMessage(a, ticket.id, say(pick(FOLLOW_UPS)))));
      if (rand() < 0.3) now = plan(agentAfter(now, 40), by(() => agent, (a) => tickets.addMessage(a, ticket.id, note('Internal: checked the logs, looks related to the last deploy.'))));
      now = plan(agentAfter(now, 90), by(() => agent, (a) => tickets.addMessage(a, ticket.id, say(pick(WORKING_ON_IT), 'open'))));
    }
    // Up a tier, with the escalation form; someone there takes it.
    if (tierIndex < 2 && rand() < 0.14) {
      const up = tiers[tierIndex + 1] as (typeof tiers)[number];
      const form = { impact: 'Field workers cannot submit their visits.', tried: 'Cleared the app cache, re-synced, checked the server logs.', needed: 'Someone with access to the sync service logs.', urgency: pick(['medium', 'high'] as const) };
      now = plan(agentAfter(now, 120), by(() => agent, (a) => tickets.escalate(a, ticket.id, form)));
      tierIndex++;
      const taker = pick(up.members);
      now = plan(agentAfter(now, 45), () => tickets.update(actorOf(taker), ticket.id, { assigneeId: taker.id }).then(() => void (agent = taker)));
      now = plan(agentAfter(now, 60), by(() => agent, (a) => tickets.addMessage(a, ticket.id, say(pick(WORKING_ON_IT), 'open'))));
    } else if (tier.members.length > 1 && rand() < 0.07) {
      // Handed to a colleague (leave, workload).
      const colleague = tier.members.find((m) => m.id !== agent.id) as User;
      now = plan(agentAfter(now, 180), () => tickets.update(actorOf(agent), ticket.id, { assigneeId: colleague.id }).then(() => void (agent = colleague)));
    }
    // Waiting on engineering for days or weeks.
    if (rand() < 0.08) {
      now = plan(agentAfter(now, 60), by(() => agent, (a) => tickets.update(a, ticket.id, { status: 'on_hold' })));
      now = agentAfter(now + between(3, 20) * DAY, 30);
    }
    // The fix, the customer's word (or silence while pending), the solve.
    now = plan(agentAfter(now, 240), by(() => agent, (a) => tickets.addMessage(a, ticket.id, say(FIXED, 'pending'))));
    if (rand() < 0.7) {
      now = plan(customerAfter(now, 180), by(() => requester, (a) => tickets.addMessage(a, ticket.id, say(CONFIRMED))));
      now = plan(agentAfter(now, 60), by(() => agent, (a) => tickets.update(a, ticket.id, { status: 'solved' })));
    } else {
      now = plan(agentAfter(now + between(1, 3) * DAY, 30), by(() => agent, (a) => tickets.update(a, ticket.id, { status: 'solved' })));
    }
    // Some come back: the requester's reply reopens the ticket, and it is solved again.
    if (rand() < 0.08) {
      now = plan(customerAfter(now, 24 * 60), by(() => requester, (a) => tickets.addMessage(a, ticket.id, say(REOPENED))));
      now = plan(agentAfter(now, 120), by(() => agent, (a) => tickets.addMessage(a, ticket.id, say(REPLIES[5] as string, 'pending'))));
      now = plan(agentAfter(now + between(0.5, 2) * DAY, 30), by(() => agent, (a) => tickets.update(a, ticket.id, { status: 'solved' })));
    }
    // Solved tickets are closed after four days, most of them by now.
    if (rand() < 0.8) plan(nextWorkTime(now + 4 * DAY), by(() => agent, (a) => tickets.update(a, ticket.id, { status: 'closed' })));
  }

  // Every step in time order (a ticket's own steps keep theirs). The SLA sweep runs on the seed's clock as the
  // history passes, twice a day of it: a clock met late records its breach itself, when it stops; the sweep
  // stamps the ones still running (and the warnings) — more often would cost seconds and show nothing new.
  steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
  let swept = clock.now().getTime();
  let done = 0;
  for (const step of steps) {
    if (step.at > end) break;
    if (step.at - swept >= SWEEP_EVERY) {
      clock.set(new Date(step.at));
      await s.sla.sweep();
      swept = step.at;
    }
    clock.set(new Date(step.at));
    await step.run();
    done++;
  }
  clock.set(new Date(end));
  await s.sla.sweep();
  // The reporting store from the history's events, and the daily rollups of its days, so the Reports dashboard
  // shows them at once (not at the next refresh).
  await s.reportsStore.rebuild();
  return { organizations: orgs.length, agents: 7, customers: customers.length, tickets: 300, steps: done, demoPassword: chosenPassword ? '(the password you chose)' : DEMO_PASSWORD };
}

import type { Services } from '../app.js';
import type { Actor } from '../platform/auth.js';
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

/** The documented password of the demo's staff when seeded from the terminal (`seed --demo`). */
const DEMO_PASSWORD = 'demo-password-123';

/** `staffPassword`: the demo staff's password; first-run setup passes the new admin's own (never the documented one). */
export async function seedDemo(s: Services, options: { staffPassword?: string } = {}) {
  const staffPassword = options.staffPassword ?? DEMO_PASSWORD;
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
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
  let created = 0;
  for (let i = 0; i < 300; i++) {
    const requester = pick(customers);
    // Most tickets stay in L1; fewer reach L2 and L3.
    const t = rand();
    const tier = (t < 0.5 ? tiers[0] : t < 0.83 ? tiers[1] : tiers[2]) as (typeof tiers)[number];
    const [subject, description] = pick(SUBJECTS) as [string, string];
    // Skewed like a real queue: few urgent tickets, many normal ones.
    const r = rand();
    const priority = (r < 0.03 ? priorities[0] : r < 0.12 ? priorities[1] : r < 0.35 ? priorities[2] : r < 0.85 ? priorities[3] : priorities[4]) ?? priorities[0];
    const agent = pick(tier.members);
    const { ticket } = await tickets.create(actorOf(agent), {
      subject,
      description,
      format: 'markdown',
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
    });
    created++;
    const fate = rand();
    if (fate < 0.25) continue; // still new
    const assigned = await tickets.update(actorOf(agent), ticket.id, { assigneeId: agent.id });
    const rounds = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < rounds; k++) {
      await tickets.addMessage(actorOf(agent), assigned.id, { body: pick(REPLIES), format: 'markdown', public: true, attachmentIds: [] });
      if (rand() < 0.3) await tickets.addMessage(actorOf(agent), assigned.id, { body: 'Internal: checked the logs, looks related to the last deploy.', format: 'markdown', public: false, attachmentIds: [] });
      if (rand() < 0.6) await tickets.addMessage(actorOf(requester), assigned.id, { body: pick(REPLIES), format: 'markdown', public: true, attachmentIds: [] });
    }
    const status = fate < 0.45 ? 'open' : fate < 0.6 ? 'pending' : fate < 0.67 ? 'on_hold' : 'solved';
    await tickets.update(actorOf(agent), ticket.id, { status });
    if (status === 'solved' && rand() < 0.5) await tickets.update(actorOf(agent), ticket.id, { status: 'closed' });
  }
  return { organizations: orgs.length, agents: 7, customers: customers.length, tickets: created, demoPassword: options.staffPassword ? '(the password you chose)' : DEMO_PASSWORD };
}

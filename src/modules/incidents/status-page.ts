import { createHash } from 'node:crypto';
import type { Cached } from '../../platform/cache.js';
import type { Ctx } from '../../platform/context.js';
import { type IncidentQueries, type StatusSnapshot, worst } from './incidents.queries.js';
import type { ComponentStatus, IncidentState } from './incidents.schema.js';
import { type IncidentsService, STATE_LABELS } from './incidents.service.js';
import type { Logo, StatusLogo } from './status-logo.js';

/** One rendering of the public status page, every representation built at once from one snapshot. */
export type Rendered = { at: number; title: string; html: string; summary: string; incidents: string; atom: string; pages: Map<string, string>; logo: Logo | null };

const DAY = 86_400_000;
const DAYS = 90;
// A rendering is at most this old: the uptime bars move at midnight even when nothing changes.
const MAX_AGE_MS = 60_000;

const COMPONENT_LABELS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};
const BAR: Record<ComponentStatus, string> = { operational: '', under_maintenance: 'u', degraded_performance: 'd', partial_outage: 'p', major_outage: 'm' };
const ACTIVE: IncidentState[] = ['investigating', 'identified', 'monitoring'];

/**
 * The public status page: rendered once per change (any incident, update or component command clears it here and,
 * through the cache hub's NOTIFY, in every process) and served from memory, so an incident spike costs string
 * writes, not queries. It reads only the public facts of `statusSnapshot` — titles, status updates, components —
 * never timeline notes, roles or tickets.
 */
export class StatusPage {
  // Only a signal: its invalidation is what reaches every process (NOTIFY); the renderings live below.
  private readonly signal: Cached<null>;
  private readonly load: () => Promise<Rendered>;
  private latest: Rendered | undefined;
  private rendering: Promise<Rendered> | undefined;
  private stale = true;

  constructor(
    private readonly ctx: Ctx,
    queries: IncidentQueries,
    incidents: IncidentsService,
    logo: StatusLogo,
  ) {
    this.load = async () => {
      const [settings, severities, image] = await Promise.all([incidents.settings(), incidents.severities(), logo.get()]);
      const snapshot = await queries.statusSnapshot(new Map(severities.map((s) => [s.key, s.level])));
      return render(snapshot, settings.statusPageTitle, ctx.config.publicUrl, image);
    };
    this.signal = ctx.cache.cached('status-page', async () => null);
    // A change in any process: render again in the background, serving the previous rendering meanwhile, so a
    // spike of readers never waits on the database (stale-while-revalidate, for the time one rendering takes).
    ctx.cache.onInvalidate('status-page', () => {
      this.stale = true;
      this.refresh().catch(() => {});
    });
  }

  /** After a change committed here: tells every process, and returns once this one serves the new rendering. */
  async invalidate(): Promise<void> {
    await this.signal.invalidate();
    try {
      while (this.stale || this.rendering !== undefined) await (this.rendering ?? this.refresh());
    } catch {
      // The change is committed; the page renders again on the next request.
    }
  }

  async current(): Promise<Rendered> {
    if (this.latest && this.ctx.clock.now().getTime() - this.latest.at > MAX_AGE_MS) this.stale = true;
    if (!this.stale && this.latest) return this.latest;
    const next = this.refresh();
    return this.latest ?? next;
  }

  /** One rendering at a time; a change during it starts another when it ends. */
  private refresh(): Promise<Rendered> {
    if (this.rendering !== undefined) return this.rendering;
    this.stale = false;
    const run = (async () => {
      try {
        const r = await this.load();
        this.latest = r;
        return r;
      } catch (err) {
        // Served stale (or failing, when there is none) until the next request tries again.
        this.stale = true;
        throw err;
      } finally {
        this.rendering = undefined;
      }
    })();
    this.rendering = run;
    run.then(
      () => {
        if (this.stale) this.refresh().catch(() => {});
      },
      () => {},
    );
    return run;
  }
}

// ---- rendering (pure: snapshot in, strings out)

export function render(s: StatusSnapshot, title: string, publicUrl: string, logo: Logo | null = null): Rendered {
  const base = publicUrl.replace(/\/$/, '');
  const pages = new Map<string, string>();
  // The logo's URL names its version, so browsers may keep it for a long time and still see a new one at once.
  const page = (org: string, heading: string, body: string) => layout(org, heading, body, logo ? `/status/logo?v=${logo.sha256.slice(0, 12)}` : null);
  for (const i of s.incidents) pages.set(i.id, page(title, `${i.title} · ${title}`, incidentHtml(i, s, true)));
  return {
    at: s.at.getTime(),
    title,
    html: page(title, `${title} status`, homeHtml(s, title)),
    summary: JSON.stringify(summaryJson(s, title, base)),
    incidents: JSON.stringify({ page: pageJson(s, title, base), incidents: s.incidents.slice(0, 50).map((i) => incidentJson(i, s, base)) }),
    atom: atom(s, title, base),
    pages,
    logo,
  };
}

type Inc = StatusSnapshot['incidents'][number];

function esc(x: string): string {
  return x.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
function when(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
/** Public text stays text: escaped, paragraphs kept. */
function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function overall(s: StatusSnapshot): { indicator: 'none' | 'minor' | 'major' | 'critical'; description: string } {
  const active = s.incidents.filter((i) => ACTIVE.includes(i.state));
  const statuses = s.components.map((c) => c.current);
  const top = active.length ? Math.min(...active.map((i) => i.level)) : 9;
  if (top === 0 || statuses.includes('major_outage')) return { indicator: top === 0 ? 'critical' : 'major', description: 'Major System Outage' };
  if (top === 1 || statuses.includes('partial_outage')) return { indicator: 'major', description: 'Partial System Outage' };
  if (active.length || statuses.includes('degraded_performance')) return { indicator: 'minor', description: 'Minor Service Outage' };
  if (statuses.includes('under_maintenance')) return { indicator: 'minor', description: 'Service Under Maintenance' };
  return { indicator: 'none', description: 'All Systems Operational' };
}

function impactOf(i: Inc): 'critical' | 'major' | 'minor' {
  return i.level === 0 ? 'critical' : i.level === 1 ? 'major' : 'minor';
}

/** Each of the last 90 days (oldest first) for one component: the worst status an incident gave it that day. */
function days(s: StatusSnapshot, componentId: string): { day: Date; status: ComponentStatus; minutes: number }[] {
  const today = Math.floor(s.at.getTime() / DAY) * DAY;
  const out = [];
  for (let d = DAYS - 1; d >= 0; d--) {
    const from = today - d * DAY;
    const to = from + DAY;
    let status: ComponentStatus = 'operational';
    let minutes = 0;
    for (const i of s.incidents) {
      const hit = i.components.find((c) => c.id === componentId);
      if (!hit) continue;
      const start = i.startedAt.getTime();
      const end = (i.resolvedAt ?? s.at).getTime();
      const overlap = Math.min(end, to, s.at.getTime()) - Math.max(start, from);
      if (overlap <= 0) continue;
      status = worst(status, hit.status);
      // Statuspage's weighting: a major outage counts whole, a partial one 30 %, degraded performance not at all.
      minutes += (overlap / 60_000) * (hit.status === 'major_outage' ? 1 : hit.status === 'partial_outage' ? 0.3 : 0);
    }
    out.push({ day: new Date(from), status, minutes });
  }
  return out;
}

function uptime(s: StatusSnapshot, componentId: string): string {
  const lost = days(s, componentId).reduce((n, d) => n + d.minutes, 0);
  return (100 * (1 - lost / (DAYS * 1440))).toFixed(2);
}

const CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1f2933}
a{color:#1f5fbf}h1{font-size:1.6rem}.logo{vertical-align:middle;max-height:40px;width:auto;margin-right:.4rem}h2{font-size:1.2rem;margin-top:2rem}.banner{padding:1rem;border-radius:6px;color:#fff;font-weight:600}
.none{background:#2e9e5b}.minor{background:#e8a317}.major{background:#e8841c}.critical{background:#d64545}
.comp{border:1px solid #d9dee3;border-radius:6px;padding:.6rem .8rem;margin:.5rem 0}.row{display:flex;justify-content:space-between;gap:1rem}
.bars{display:flex;gap:1px;margin-top:.4rem}.bars i{flex:1;height:28px;border-radius:1px;background:#2e9e5b}.bars .u{background:#3b82f6}.bars .d{background:#e8c21c}.bars .p{background:#e8841c}.bars .m{background:#d64545}.small{color:#5b6875;font-size:.85rem}
.inc{border-left:4px solid #e8841c;padding:.2rem 1rem;margin:1rem 0}.upd{margin:.6rem 0}.upd b{margin-right:.5rem}
.maint{border-left:4px solid #3b82f6;padding:.2rem 1rem;margin:1rem 0}.maint.completed{border-color:#9aa5b1}.tag{font-size:.8rem;font-weight:400;background:#e6eefc;border-radius:4px;padding:0 .4rem}
.sub{display:grid;gap:.5rem;max-width:28rem}.sub input[type=email]{font:inherit;padding:.4rem}.sub fieldset{border:1px solid #d9dee3;border-radius:6px}.opt{display:block}.boxes{padding-left:1.5rem}.sub button{font:inherit;padding:.4rem 1rem;justify-self:start}`;

function layout(org: string, heading: string, body: string, logoUrl: string | null): string {
  const logo = logoUrl ? `<img class="logo" src="${logoUrl}" alt="${esc(org)} logo" height="40"> ` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(heading)}</title><link rel="alternate" type="application/atom+xml" href="/status/feed.atom" title="${esc(org)} status"><style>${CSS}</style></head><body><header><h1>${logo}<a href="/status">${esc(org)}</a> status</h1></header><main>${body}</main><footer class="small"><p><a href="/status/feed.atom">Atom feed</a> · <a href="/status/summary.json">summary.json</a> · <a href="/status/incidents.json">incidents.json</a></p></footer></body></html>`;
}

function updatesHtml(i: Inc): string {
  return i.updates
    .map((u) => `<div class="upd"><b>${STATE_LABELS[u.state]}</b><span class="small">${when(u.at)}${u.eta ? ` · expected by ${when(u.eta)}` : ''}</span>${paragraphs(u.body)}</div>`)
    .join('');
}

function incidentHtml(i: Inc, s: StatusSnapshot, full: boolean): string {
  const names = i.components.map((c) => s.components.find((x) => x.id === c.id)?.name).filter(Boolean) as string[];
  const heading = full ? `<h2>${esc(i.title)}</h2>` : `<h3><a href="/status/incidents/${i.id}">${esc(i.title)}</a></h3>`;
  const affects = names.length ? `<p class="small">Affects ${names.map(esc).join(', ')}</p>` : '';
  return `<section class="inc">${heading}${affects}${updatesHtml(i)}</section>`;
}

function homeHtml(s: StatusSnapshot, title: string): string {
  const o = overall(s);
  const active = s.incidents.filter((i) => ACTIVE.includes(i.state));
  const groups = new Map<string, StatusSnapshot['components']>();
  for (const c of s.components) groups.set(c.groupName ?? '', [...(groups.get(c.groupName ?? '') ?? []), c]);
  const comps = [...groups.entries()]
    .map(([group, list]) => {
      const items = list
        .map((c) => {
          // Kept small (one class letter; a title only on a bad day): the page is served thousands of times a second.
          const bars = days(s, c.id)
            .map((d) => (d.status === 'operational' ? '<i></i>' : `<i class="${BAR[d.status]}" title="${d.day.toISOString().slice(0, 10)}: ${COMPONENT_LABELS[d.status]}"></i>`))
            .join('');
          return `<div class="comp"><div class="row"><strong>${esc(c.name)}</strong><span>${COMPONENT_LABELS[c.current]}</span></div><div class="bars" aria-label="${DAYS} days of ${esc(c.name)}">${bars}</div><div class="row small"><span>${DAYS} days ago</span><span>${uptime(s, c.id)} % uptime</span><span>Today</span></div></div>`;
        })
        .join('');
      return group ? `<h3>${esc(group)}</h3>${items}` : items;
    })
    .join('');
  const history = s.incidents
    .filter((i) => !ACTIVE.includes(i.state))
    .map((i) => `<li><a href="/status/incidents/${i.id}">${esc(i.title)}</a> <span class="small">${when(i.startedAt)}${i.resolvedAt ? ` – ${when(i.resolvedAt)}` : ''}</span></li>`)
    .join('');
  return `<p class="banner ${o.indicator}">${o.description}</p>${active.length ? `<h2>Active incidents</h2>${active.map((i) => incidentHtml(i, s, false)).join('')}` : ''}${maintenanceHtml(s)}<h2>Components</h2>${comps || '<p>No components yet.</p>'}<h2>Past incidents</h2>${history ? `<ul>${history}</ul>` : `<p>No incidents in the last ${DAYS} days.</p>`}${subscribeHtml(s)}<p class="small">${esc(title)} · updated ${when(s.at)}</p>`;
}

type Maint = StatusSnapshot['maintenances'][number];
const MAINTENANCE_LABELS: Record<Maint['status'], string> = { scheduled: 'Upcoming', in_progress: 'In progress', completed: 'Completed', cancelled: 'Cancelled' };

function maintenanceHtml(s: StatusSnapshot): string {
  const names = (m: Maint) => m.componentIds.map((id) => s.components.find((c) => c.id === id)?.name).filter((n): n is string => !!n);
  const item = (m: Maint) =>
    `<section class="maint ${m.status}" data-status="${m.status}"><h3>${esc(m.title)} <span class="tag">${MAINTENANCE_LABELS[m.status]}</span></h3><p class="small">${when(m.startsAt)} – ${when(m.endsAt)}${names(m).length ? ` · ${names(m).map(esc).join(', ')}` : ''}</p>${m.description ? paragraphs(m.description) : ''}</section>`;
  const open = s.maintenances.filter((m) => m.status === 'in_progress' || m.status === 'scheduled');
  const done = s.maintenances.filter((m) => m.status === 'completed').reverse();
  return `${open.length ? `<h2>Scheduled maintenance</h2>${open.map(item).join('')}` : ''}${done.length ? `<h2>Completed maintenance</h2>${done.map(item).join('')}` : ''}`;
}

/** The subscribe form: a plain HTML form (no JavaScript), all components or some. */
function subscribeHtml(s: StatusSnapshot): string {
  const boxes = s.components
    .map((c) => `<label class="opt"><input type="checkbox" name="component" value="${c.id}"> ${esc(c.name)}</label>`)
    .join('');
  return `<h2 id="subscribe">Get notices by email</h2><form method="post" action="/status/subscribe" class="sub"><label for="sub-email">Email address</label><input id="sub-email" type="email" name="email" required maxlength="254" autocomplete="email"><fieldset><legend>About</legend><label class="opt"><input type="radio" name="scope" value="all" checked> Every component</label>${boxes ? `<label class="opt"><input type="radio" name="scope" value="some"> Only the ones I tick:</label><div class="boxes">${boxes}</div>` : ''}</fieldset><button type="submit">Subscribe</button><p class="small">We send a link to confirm first; every notice has a one-click unsubscribe link.</p></form>`;
}

// ---- Atlassian Statuspage v2 JSON

function groupId(name: string): string {
  const h = createHash('sha256').update(`group:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function pageJson(s: StatusSnapshot, title: string, base: string) {
  const latest = Math.max(s.at.getTime() - DAYS * DAY, ...s.incidents.map((i) => i.updatedAt.getTime()), ...s.components.map((c) => c.updatedAt.getTime()), ...s.maintenances.map((m) => m.updatedAt.getTime()));
  return { id: 'lifeline', name: title, url: `${base}/status`, time_zone: 'Etc/UTC', updated_at: new Date(latest).toISOString() };
}

function componentsJson(s: StatusSnapshot) {
  const out: Record<string, unknown>[] = [];
  const groups = [...new Set(s.components.map((c) => c.groupName).filter((g): g is string => !!g))];
  for (const g of groups) {
    const members = s.components.filter((c) => c.groupName === g);
    out.push({
      id: groupId(g),
      name: g,
      status: members.reduce<ComponentStatus>((w, c) => worst(w, c.current), 'operational'),
      created_at: members[0]?.createdAt.toISOString(),
      updated_at: new Date(Math.max(...members.map((c) => c.updatedAt.getTime()))).toISOString(),
      position: members[0]?.position ?? 0,
      description: null,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: 'lifeline',
      group: true,
      only_show_if_degraded: false,
      components: members.map((c) => c.id),
    });
  }
  for (const c of s.components) {
    out.push({
      id: c.id,
      name: c.name,
      status: c.current,
      created_at: c.createdAt.toISOString(),
      updated_at: c.updatedAt.toISOString(),
      position: c.position,
      description: c.description || null,
      showcase: true,
      start_date: null,
      group_id: c.groupName ? groupId(c.groupName) : null,
      page_id: 'lifeline',
      group: false,
      only_show_if_degraded: false,
    });
  }
  return out;
}

function incidentJson(i: Inc, s: StatusSnapshot, base: string) {
  const affected = i.components.map((c) => s.components.find((x) => x.id === c.id)).filter((c): c is StatusSnapshot['components'][number] => !!c);
  const firstAt = (state: IncidentState) => i.updates.filter((u) => u.state === state).at(-1)?.at.toISOString() ?? null;
  return {
    id: i.id,
    name: i.title,
    // Statuspage has no pending retro: to the public an incident past resolved is resolved (postmortem is its own field).
    status: ACTIVE.includes(i.state) ? i.state : 'resolved',
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
    monitoring_at: firstAt('monitoring'),
    resolved_at: i.resolvedAt?.toISOString() ?? null,
    impact: impactOf(i),
    shortlink: `${base}/status/incidents/${i.id}`,
    started_at: i.startedAt.toISOString(),
    page_id: 'lifeline',
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      status: u.state,
      body: u.body,
      incident_id: i.id,
      created_at: u.at.toISOString(),
      updated_at: u.at.toISOString(),
      display_at: u.at.toISOString(),
      affected_components: i.components.map((c) => ({ code: c.id, name: s.components.find((x) => x.id === c.id)?.name ?? '', old_status: 'operational', new_status: c.status })),
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: affected.map((c) => ({ id: c.id, name: c.name, status: c.current, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(), position: c.position, description: c.description || null, showcase: true, start_date: null, group_id: c.groupName ? groupId(c.groupName) : null, page_id: 'lifeline', group: false, only_show_if_degraded: false })),
  };
}

function maintenanceJson(m: Maint, s: StatusSnapshot, base: string) {
  const comps = m.componentIds.map((id) => s.components.find((c) => c.id === id)).filter((c): c is StatusSnapshot['components'][number] => !!c);
  return {
    id: m.id,
    name: m.title,
    status: m.status,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
    monitoring_at: null,
    resolved_at: m.status === 'completed' ? m.endsAt.toISOString() : null,
    impact: 'maintenance',
    shortlink: `${base}/status`,
    started_at: m.startsAt.toISOString(),
    page_id: 'lifeline',
    incident_updates: [
      {
        id: m.id,
        status: m.status,
        body: m.description || m.title,
        incident_id: m.id,
        created_at: m.createdAt.toISOString(),
        updated_at: m.updatedAt.toISOString(),
        display_at: m.updatedAt.toISOString(),
        affected_components: comps.map((c) => ({ code: c.id, name: c.name, old_status: 'operational', new_status: 'under_maintenance' })),
        deliver_notifications: true,
        custom_tweet: null,
        tweet_id: null,
      },
    ],
    components: comps.map((c) => ({ id: c.id, name: c.name, status: c.current, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(), position: c.position, description: c.description || null, showcase: true, start_date: null, group_id: c.groupName ? groupId(c.groupName) : null, page_id: 'lifeline', group: false, only_show_if_degraded: false })),
    scheduled_for: m.startsAt.toISOString(),
    scheduled_until: m.endsAt.toISOString(),
  };
}

function summaryJson(s: StatusSnapshot, title: string, base: string) {
  return {
    page: pageJson(s, title, base),
    components: componentsJson(s),
    incidents: s.incidents.filter((i) => ACTIVE.includes(i.state)).map((i) => incidentJson(i, s, base)),
    scheduled_maintenances: s.maintenances.filter((m) => m.status !== 'completed').map((m) => maintenanceJson(m, s, base)),
    status: overall(s),
  };
}

// ---- Atom

function atom(s: StatusSnapshot, title: string, base: string): string {
  const updated = pageJson(s, title, base).updated_at;
  const entries = s.incidents
    .slice(0, 50)
    .map((i) => {
      const content = i.updates.map((u) => `<p><strong>${STATE_LABELS[u.state]}</strong> (${when(u.at)}): ${esc(u.body)}</p>`).join('');
      return `<entry><id>tag:lifeline,2026:incident/${i.id}</id><title>${esc(i.title)}</title><updated>${i.updatedAt.toISOString()}</updated><published>${i.createdAt.toISOString()}</published><link rel="alternate" type="text/html" href="${esc(`${base}/status/incidents/${i.id}`)}"/><content type="html">${esc(content)}</content></entry>`;
    })
    .join('');
  const maintenanceEntries = s.maintenances
    .map((m) => {
      const content = `<p><strong>${MAINTENANCE_LABELS[m.status]}</strong>: ${when(m.startsAt)} – ${when(m.endsAt)}</p>${m.description ? `<p>${esc(m.description)}</p>` : ''}`;
      return `<entry><id>tag:lifeline,2026:maintenance/${m.id}</id><title>${esc(`Maintenance (${MAINTENANCE_LABELS[m.status].toLowerCase()}): ${m.title}`)}</title><updated>${m.updatedAt.toISOString()}</updated><published>${m.createdAt.toISOString()}</published><link rel="alternate" type="text/html" href="${esc(`${base}/status`)}"/><content type="html">${esc(content)}</content></entry>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><id>tag:lifeline,2026:status</id><title>${esc(title)} status</title><updated>${updated}</updated><link rel="alternate" type="text/html" href="${esc(`${base}/status`)}"/><link rel="self" type="application/atom+xml" href="${esc(`${base}/status/feed.atom`)}"/><author><name>${esc(title)}</name></author>${maintenanceEntries}${entries}</feed>`;
}

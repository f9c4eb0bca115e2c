import type { DigestKind } from './digests.schema.js';

export type DigestNumber = { label: string; value: number | null; previous: number | null; unit: 'tickets' | 'seconds' | 'percent'; metric: string };
export type DigestTable = { title: string; rows: { label: string; value: number; previous?: number }[] };
export type DigestSection = { title: string; numbers: DigestNumber[]; tables: DigestTable[] };
export type DigestContent = { kind: DigestKind; title: string; periodWords: string; recipient: string; sections: DigestSection[]; reportUrl: string; settingsUrl: string };

/** Escapes text for HTML (every value in a digest is data: group names, tags, people's names). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function formatValue(v: number | null, unit: DigestNumber['unit']): string {
  if (v === null) return '–';
  if (unit === 'percent') return `${v} %`;
  if (unit === 'seconds') {
    if (v < 3600) return `${Math.round(v / 60)} min`;
    if (v < 48 * 3600) return `${(v / 3600).toFixed(1)} h`;
    return `${(v / 86400).toFixed(1)} days`;
  }
  return String(v);
}

/** The change against the previous period, in words a mail client shows as is ("▲ 3", "▼ 12 %"). */
export function trend(v: number | null, previous: number | null, unit: DigestNumber['unit']): string {
  if (v === null || previous === null) return '';
  const d = v - previous;
  if (d === 0) return 'same';
  const arrow = d > 0 ? '▲' : '▼';
  if (unit === 'percent') return `${arrow} ${Math.abs(Math.round(d * 10) / 10)} pts`;
  if (unit === 'seconds') return `${arrow} ${formatValue(Math.abs(d), unit)}`;
  return `${arrow} ${Math.abs(d)}`;
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const CELL = `${FONT}font-size:14px;color:#1a1b1e;padding:6px 10px;border-bottom:1px solid #e9ecef;`;
const HEAD = `${FONT}font-size:12px;color:#495057;padding:6px 10px;text-align:left;border-bottom:2px solid #dee2e6;`;

/**
 * A digest as mail: HTML built for mail clients (tables, inline styles, no scripts, no external CSS or images,
 * every value escaped) and a plain-text part with the same numbers, both linking to the live report.
 */
export function renderDigest(c: DigestContent): { subject: string; html: string; text: string } {
  const first = c.sections[0]?.numbers ?? [];
  const headline = first
    .slice(0, 3)
    .map((n) => `${formatValue(n.value, n.unit)} ${n.label.toLowerCase()}`)
    .join(', ');
  const subject = `${c.title}: ${headline}`;

  const text: string[] = [`${c.title} for ${c.recipient}`, `Period: ${c.periodWords}`, ''];
  const html: string[] = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    `<body style="margin:0;padding:0;background:#f8f9fa;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f8f9fa;"><tr><td align="center" style="padding:16px;">`,
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border:1px solid #dee2e6;">`,
    `<tr><td style="${FONT}padding:16px 16px 4px;font-size:20px;font-weight:bold;color:#1a1b1e;">${escapeHtml(c.title)}</td></tr>`,
    `<tr><td style="${FONT}padding:0 16px 12px;font-size:13px;color:#495057;">${escapeHtml(c.periodWords)}</td></tr>`,
  ];
  for (const s of c.sections) {
    text.push(`== ${s.title} ==`);
    html.push(`<tr><td style="${FONT}padding:12px 16px 4px;font-size:16px;font-weight:bold;color:#1a1b1e;">${escapeHtml(s.title)}</td></tr>`);
    html.push(`<tr><td style="padding:0 16px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">`);
    html.push(`<tr><th style="${HEAD}">Number</th><th style="${HEAD}text-align:right;">Now</th><th style="${HEAD}text-align:right;">Before</th><th style="${HEAD}text-align:right;">Change</th></tr>`);
    for (const n of s.numbers) {
      const [v, p, t] = [formatValue(n.value, n.unit), formatValue(n.previous, n.unit), trend(n.value, n.previous, n.unit)];
      text.push(`${n.label}: ${v} (before: ${p}${t ? `, ${t}` : ''})`);
      html.push(`<tr><td style="${CELL}">${escapeHtml(n.label)}</td><td style="${CELL}text-align:right;font-weight:bold;">${escapeHtml(v)}</td><td style="${CELL}text-align:right;color:#495057;">${escapeHtml(p)}</td><td style="${CELL}text-align:right;color:#495057;">${escapeHtml(t)}</td></tr>`);
    }
    html.push('</table></td></tr>');
    for (const table of s.tables) {
      text.push('', `${table.title}:`);
      html.push(`<tr><td style="${FONT}padding:12px 16px 4px;font-size:14px;font-weight:bold;color:#1a1b1e;">${escapeHtml(table.title)}</td></tr>`);
      html.push(`<tr><td style="padding:0 16px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">`);
      if (!table.rows.length) {
        text.push('  (none)');
        html.push(`<tr><td style="${CELL}color:#495057;">None</td></tr>`);
      }
      for (const r of table.rows) {
        const t = r.previous === undefined ? '' : trend(r.value, r.previous, 'tickets');
        text.push(`  ${r.label}: ${r.value}${t ? ` (${t})` : ''}`);
        html.push(`<tr><td style="${CELL}">${escapeHtml(r.label)}</td><td style="${CELL}text-align:right;font-weight:bold;">${r.value}</td><td style="${CELL}text-align:right;color:#495057;">${escapeHtml(t)}</td></tr>`);
      }
      html.push('</table></td></tr>');
    }
    text.push('');
  }
  const link = (href: string, words: string) => `<a href="${escapeHtml(href)}" style="color:#1864ab;">${escapeHtml(words)}</a>`;
  text.push(`Open the live report: ${c.reportUrl}`, `Change or stop your digests: ${c.settingsUrl}`);
  html.push(`<tr><td style="${FONT}padding:16px;font-size:14px;">${link(c.reportUrl, 'Open the live report')}</td></tr>`);
  html.push(`<tr><td style="${FONT}padding:0 16px 16px;font-size:12px;color:#495057;">Sent by Lifeline. ${link(c.settingsUrl, 'Change or stop your digests')}.</td></tr>`);
  html.push('</table></td></tr></table></body></html>');
  return { subject, html: html.join('\n'), text: text.join('\n') };
}

// Extension and path chosen so both the app (Vite) and the server's type-check (NodeNext, for the test) read this.
import type { Condition } from '../api/schema.gen.js';

/** What the "Save a view" form asks for. Empty fields do not filter. */
export type Filter = {
  states: string[];
  priorities: string[];
  types: string[];
  groups: string[];
  assignee: string | null;
  organizations: string[];
  tags: string[];
  channels: string[];
  createdAfter: string;
  updatedBefore: string;
  /** Admin-defined ticket fields: a dropdown's chosen options, a checkbox's yes/no, text the value contains. */
  custom?: CustomFilter[];
};

export type CustomFilter = { key: string; kind: 'dropdown'; values: string[] } | { key: string; kind: 'checkbox'; value: boolean | null } | { key: string; kind: 'text'; text: string };

/** The filter form as a condition tree (the one condition language the server checks and compiles). */
export function filterToCondition(f: Filter): Condition {
  const all: Condition[] = [];
  if (f.states.length) all.push({ field: 'status', op: 'in', value: f.states });
  if (f.priorities.length) all.push({ field: 'priority', op: 'in', value: f.priorities });
  if (f.types.length) all.push({ field: 'type', op: 'in', value: f.types });
  if (f.groups.length) all.push({ field: 'group', op: 'in', value: f.groups });
  if (f.assignee === 'none') all.push({ field: 'assignee', op: 'is_not_set' });
  else if (f.assignee) all.push({ field: 'assignee', op: 'is', value: f.assignee });
  if (f.organizations.length) all.push({ field: 'organization', op: 'in', value: f.organizations });
  if (f.tags.length) all.push({ field: 'tags', op: 'includes_any', value: f.tags });
  if (f.channels.length) all.push({ field: 'channel', op: 'in', value: f.channels });
  if (f.createdAfter) all.push({ field: 'created_at', op: 'after', value: new Date(f.createdAfter).toISOString() });
  if (f.updatedBefore) all.push({ field: 'updated_at', op: 'before', value: new Date(f.updatedBefore).toISOString() });
  for (const c of f.custom ?? []) {
    const field = `custom.${c.key}`;
    if (c.kind === 'dropdown' && c.values.length) all.push({ field, op: 'in', value: c.values });
    if (c.kind === 'checkbox' && c.value !== null) all.push({ field, op: 'is', value: c.value });
    if (c.kind === 'text' && c.text.trim()) all.push({ field, op: 'contains', value: c.text.trim() });
  }
  return { all };
}

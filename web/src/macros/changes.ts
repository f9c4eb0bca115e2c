import type { Directory } from '../app/directory';

/** A macro's field changes, as the API has them. `assigneeId` may be `current_user`. */
export type MacroChanges = {
  status?: string;
  priority?: string;
  type?: string | null;
  groupId?: string | null;
  assigneeId?: string | null;
  addTags?: string[];
  removeTags?: string[];
  customFields?: Record<string, unknown>;
};

/** One change in words, with how to drop it from the set (for "reversible before sending"). */
export type ChangeLine = { id: string; text: string; drop: (c: MacroChanges) => MacroChanges };

const without = <K extends keyof MacroChanges>(c: MacroChanges, key: K): MacroChanges => {
  const { [key]: _, ...rest } = c;
  return rest;
};

/** The changes in words ("State → Pending", "Add tag cannot-reproduce"), each droppable on its own. */
export function describeChanges(c: MacroChanges, dir: Directory): ChangeLine[] {
  const lines: ChangeLine[] = [];
  if (c.status !== undefined) lines.push({ id: 'status', text: `State → ${dir.stateLabel(c.status)}`, drop: (x) => without(x, 'status') });
  if (c.priority !== undefined) lines.push({ id: 'priority', text: `Priority → ${c.priority}${dir.priority(c.priority) ? ` ${dir.priority(c.priority)?.name}` : ''}`, drop: (x) => without(x, 'priority') });
  if (c.type !== undefined) lines.push({ id: 'type', text: c.type ? `Type → ${dir.types.find((t) => t.key === c.type)?.label ?? c.type}` : 'Clear the type', drop: (x) => without(x, 'type') });
  if (c.groupId !== undefined) lines.push({ id: 'group', text: c.groupId ? `Group → ${dir.groupName(c.groupId)}` : 'Clear the group', drop: (x) => without(x, 'groupId') });
  if (c.assigneeId !== undefined) {
    const who = c.assigneeId === 'current_user' ? 'me (whoever applies it)' : c.assigneeId ? dir.userName(c.assigneeId) : null;
    lines.push({ id: 'assignee', text: who ? `Assign to ${who}` : 'Unassign', drop: (x) => without(x, 'assigneeId') });
  }
  for (const tag of c.addTags ?? []) {
    lines.push({ id: `add:${tag}`, text: `Add tag ${tag}`, drop: (x) => tagless(x, 'addTags', tag) });
  }
  for (const tag of c.removeTags ?? []) {
    lines.push({ id: `remove:${tag}`, text: `Remove tag ${tag}`, drop: (x) => tagless(x, 'removeTags', tag) });
  }
  for (const [key, value] of Object.entries(c.customFields ?? {})) {
    const label = dir.customFields.find((f) => f.key === key)?.label ?? key;
    lines.push({
      id: `field:${key}`,
      text: value === null ? `Clear ${label}` : `${label} → ${Array.isArray(value) ? value.join(', ') : String(value)}`,
      drop: (x) => {
        const { [key]: _, ...rest } = x.customFields ?? {};
        return Object.keys(rest).length ? { ...x, customFields: rest } : without(x, 'customFields');
      },
    });
  }
  return lines;
}

function tagless(c: MacroChanges, key: 'addTags' | 'removeTags', tag: string): MacroChanges {
  const left = (c[key] ?? []).filter((t) => t !== tag);
  return left.length ? { ...c, [key]: left } : without(c, key);
}

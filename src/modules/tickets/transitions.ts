import type { StateCategory } from './tickets.schema.js';

/**
 * Which state categories a ticket may move to, by hand, from each category. The one place transitions are
 * decided. Moving between states of the same category (Pending → "Fix provided") is always allowed.
 * A closed ticket is final (a requester reply starts a follow-up); merged is reached only by merging.
 */
const ALLOWED: Record<StateCategory, readonly StateCategory[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
  merged: [],
};

export function canTransition(from: StateCategory, to: StateCategory): boolean {
  if (from === to) return from !== 'closed' && from !== 'merged';
  return ALLOWED[from].includes(to);
}

export function allowedTargets(from: StateCategory): StateCategory[] {
  const same: StateCategory[] = from === 'closed' || from === 'merged' ? [] : [from];
  return [...same, ...ALLOWED[from]];
}

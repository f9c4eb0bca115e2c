import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { IdentitiesService } from '../people/identities.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';

export type MergeResult = { survivorId: string; mergedId: string; moved: { tickets: number; messages: number; follows: number; identities: number } };

/**
 * Merges two people found to be the same (one wrote by email, then from Slack): the duplicate's tickets, messages,
 * follows and identities move to the survivor, the duplicate is deactivated and signed out, and `user_merges`
 * records it — all in one transaction.
 *
 * Only customers are merged, and only within one organisation (both in the same one, or both in none): merging
 * across organisations would show one organisation's tickets to another's members (shared tickets), and merging
 * staff would change what a group-restricted agent sees. Both are refused with CANNOT_MERGE_PEOPLE; move the person
 * to the right organisation first.
 */
export class MergePeople {
  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
    private readonly identities: IdentitiesService,
    private readonly queries: TicketQueries,
  ) {}

  async merge(actor: Actor, survivorId: string, duplicateId: string): Promise<MergeResult> {
    if (survivorId === duplicateId) throw refuse('A person cannot be merged into themselves', 'body.duplicateId');
    // Checked and done in one transaction that holds both people locked: two merges of the same pair at once
    // (A into B and B into A) or a move to another organisation meanwhile cannot both pass the checks.
    const result = await this.ctx.db.transaction(async (tx) => {
      await this.identities.lockPeople([survivorId, duplicateId], tx);
      const survivor = await this.people.getUser(survivorId, tx);
      const duplicate = await this.people.getUser(duplicateId, tx).catch(() => {
        throw new AppError('INVALID_REFERENCE', `No user with id ${duplicateId}`, { fields: [{ path: 'body.duplicateId', message: 'unknown user' }] });
      });
      if (survivor.role !== 'customer' || duplicate.role !== 'customer') throw refuse('Only customers are merged; staff accounts are deactivated instead', 'body.duplicateId');
      if (!survivor.active) throw refuse('The surviving person is deactivated', 'params.id');
      if (!duplicate.active) throw refuse('That person is deactivated (already merged?)', 'body.duplicateId');
      if ((survivor.organizationId ?? null) !== (duplicate.organizationId ?? null)) {
        throw refuse('The two people are in different organisations: move one into the other\u2019s organisation first', 'body.duplicateId');
      }
      const moved = await this.queries.movePerson(duplicate.id, survivor.id, tx);
      const { identities } = await this.identities.foldInto(survivor.id, duplicate, moved, actor.userId ?? null, tx);
      return { survivorId: survivor.id, mergedId: duplicate.id, moved: { ...moved, identities } };
    });
    // The duplicate is signed out everywhere, now (sessions and tokens cached by any process).
    await this.people.invalidateActors();
    return result;
  }
}

function refuse(message: string, path: string): AppError {
  return new AppError('CANNOT_MERGE_PEOPLE', message, { fields: [{ path, message }] });
}

import { Alert, Badge, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';

/** What a review reads of an article or of one of its translations: both go through the same review. */
type Reviewable = { status: string; reviewVersion: number | null; reviewRequestedBy: string | null; changesRequested: string | null; changesRequestedBy: string | null };

type Of = 'article' | 'translation';

// The tests and the people using the editor tell an article's review from its translation's by these words.
const WORDS = {
  article: {
    submit: 'Submit for review',
    submitted: 'Submitted for review',
    approve: 'Approve and publish',
    approved: 'Approved and published',
    requestChanges: 'Request changes',
    waiting: 'Waiting for another agent to review it.',
    changesLabel: 'What should change',
    sendBack: 'Send back',
    sentBack: 'Sent back with your note',
    badgeTestId: 'article-review',
    changesTestId: 'changes-requested',
  },
  translation: {
    submit: 'Submit translation for review',
    submitted: 'Translation submitted for review',
    approve: 'Approve and publish translation',
    approved: 'Translation approved and published',
    requestChanges: 'Request changes to translation',
    waiting: 'Waiting for another agent to review the translation.',
    changesLabel: 'What should change in the translation',
    sendBack: 'Send translation back',
    sentBack: 'Translation sent back with your note',
    badgeTestId: 'translation-review',
    changesTestId: 'translation-changes-requested',
  },
} as const satisfies Record<Of, Record<string, string>>;

/** "In review: version N", while a version waits for its reviewer. */
export function ReviewBadge({ of, item }: { of: Of; item: Reviewable | undefined }) {
  if (item?.reviewVersion == null) return null;
  return (
    <Badge color="blue" variant="light" data-testid={WORDS[of].badgeTestId}>
      In review: version {item.reviewVersion}
    </Badge>
  );
}

/** The reviewer's note on a version sent back, until the next one is submitted. */
export function ChangesRequested({ of, item }: { of: Of; item: Reviewable | undefined }) {
  const dir = useDirectory();
  if (!item?.changesRequested || item.reviewVersion !== null) return null;
  return (
    <Alert color="orange" title={`Changes requested by ${dir.staff.find((u) => u.id === item.changesRequestedBy)?.name ?? 'a reviewer'}`} data-testid={WORDS[of].changesTestId}>
      {item.changesRequested}
    </Alert>
  );
}

/**
 * The editor's row of buttons with the review's in it: Submit for review, or, for anyone but the submitter, Approve
 * and publish and Request changes (a note, then Send back). The editor's own buttons go `before` and `after`, so the
 * row reads and tabs as one. `act` runs a call the way the editor runs its own (errors, the status message, the
 * refreshed text); `item` is undefined while there is nothing saved to review.
 */
export function ReviewPanel<T>({
  of,
  item,
  requireReview,
  dirty,
  act,
  calls,
  before,
  after,
}: {
  of: Of;
  item: Reviewable | undefined;
  requireReview: boolean;
  dirty: boolean;
  act: (what: string, run: () => Promise<T>) => unknown;
  calls: { submit: () => Promise<T>; approve: () => Promise<T>; requestChanges: (note: string) => Promise<T> };
  before?: ReactNode;
  after?: ReactNode;
}) {
  const { me } = useSession();
  const [changes, setChanges] = useState<string | null>(null);
  const words = WORDS[of];
  const inReview = item !== undefined && item.reviewVersion !== null;
  return (
    <>
      <Group wrap="wrap">
        {before}
        {item && item.reviewVersion === null && item.status !== 'published' && (
          <Button variant={requireReview ? 'filled' : 'default'} onClick={() => void act(words.submitted, calls.submit)} disabled={dirty}>
            {words.submit}
          </Button>
        )}
        {inReview && item.reviewRequestedBy !== me.id && (
          <>
            <Button color="green" onClick={() => void act(words.approved, calls.approve)} disabled={dirty}>
              {words.approve}
            </Button>
            <Button variant="default" onClick={() => setChanges('')}>
              {words.requestChanges}
            </Button>
          </>
        )}
        {inReview && item.reviewRequestedBy === me.id && (
          <Text size="sm" c="dimmed">
            {words.waiting}
          </Text>
        )}
        {after}
      </Group>
      {item && changes !== null && (
        <Stack gap="xs">
          <Textarea label={words.changesLabel} value={changes} onChange={(e) => setChanges(e.currentTarget.value)} maxLength={2000} autosize minRows={2} data-autofocus />
          <Group>
            <Button
              disabled={!changes.trim()}
              onClick={() =>
                void act(words.sentBack, async () => {
                  const result = await calls.requestChanges(changes);
                  setChanges(null);
                  return result;
                })
              }
            >
              {words.sendBack}
            </Button>
            <Button variant="subtle" onClick={() => setChanges(null)}>
              Cancel
            </Button>
          </Group>
        </Stack>
      )}
      {requireReview && (
        <Text size="xs" c="dimmed">
          Publishing needs a review here: another agent approves the version you submit.
        </Text>
      )}
    </>
  );
}

import { ActionIcon, Anchor, Badge, Group, Select, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FormError, useSave } from '../admin/forms';
import { type Category, kbApi, type RelatedRef } from './model';

/**
 * The article's related articles: the ones picked here, in order (up, down, remove; each change saved at once),
 * and the suggestions the help centre adds when fewer than three are picked. Internal or unpublished ones are
 * listed here but left off pages readers cannot read them on.
 */
export function Related({ id, tree }: { id: string; tree: Category[] }) {
  const qc = useQueryClient();
  const related = useQuery({ queryKey: ['kb-related', id], queryFn: () => kbApi.related(id) });
  const { error, save } = useSave([['kb-related', id]]);
  if (!related.data) return null;
  const manual = related.data.manual;
  const put = (ids: string[]) =>
    save(async () => {
      qc.setQueryData(['kb-related', id], await kbApi.setRelated(id, ids));
    });
  const ids = manual.map((m) => m.id);
  const move = (i: number, by: number) => {
    const next = [...ids];
    const [x] = next.splice(i, 1);
    next.splice(i + by, 0, x as string);
    void put(next);
  };
  const options = tree.flatMap((c) => c.sections.map((s) => ({ group: `${c.name} › ${s.name}`, items: s.articles.filter((a) => a.id !== id && !ids.includes(a.id)).map((a) => ({ value: a.id, label: a.title })) }))).filter((g) => g.items.length);
  const note = (r: RelatedRef) => (!r.published ? 'not published' : r.visibility === 'internal' ? 'internal' : null);
  return (
    <Stack gap="xs">
      <FormError error={error} fieldsInPlace={false} />
      {manual.length === 0 && (
        <Text size="sm" c="dimmed">
          None picked.
        </Text>
      )}
      <ol aria-label="Related articles" style={{ margin: 0, paddingLeft: '1.2rem' }}>
        {manual.map((r, i) => (
          <li key={r.id}>
            <Group gap="xs" wrap="nowrap">
              <Text size="sm">{r.title}</Text>
              {note(r) && (
                <Badge size="xs" variant="light" color="gray">
                  {note(r)}
                </Badge>
              )}
              <ActionIcon variant="subtle" size="sm" aria-label={`Move ${r.title} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                ↑
              </ActionIcon>
              <ActionIcon variant="subtle" size="sm" aria-label={`Move ${r.title} down`} disabled={i === manual.length - 1} onClick={() => move(i, 1)}>
                ↓
              </ActionIcon>
              <ActionIcon variant="subtle" size="sm" color="red" aria-label={`Remove ${r.title}`} onClick={() => void put(ids.filter((x) => x !== r.id))}>
                ×
              </ActionIcon>
            </Group>
          </li>
        ))}
      </ol>
      <Select label="Add a related article" placeholder="Search articles" data={options} value={null} onChange={(v) => v && void put([...ids, v])} searchable disabled={ids.length >= 10} maw={420} />
      {related.data.suggested.length > 0 && (
        <Text size="sm" c="dimmed" data-testid="kb-related-suggested">
          Readers also see (suggested, as fewer than 3 are picked):{' '}
          {related.data.suggested.map((r, i) => (
            <span key={r.id}>
              {i ? ', ' : ''}
              <Anchor href={`/help/articles/${r.slug}`} target="_blank" size="sm">
                {r.title}
              </Anchor>
            </span>
          ))}
        </Text>
      )}
    </Stack>
  );
}

import { Anchor, Badge, Button, Group, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormError, useSave } from '../admin/forms';
import { type Article, kbApi, TRANSLATION_STATUS_LABELS, type Translation } from './model';

type Draft = { locale: string; title: string; body: string; version?: number };

/**
 * An article's translations: one per locale, each with its own draft and published text. "Add a translation" starts
 * from the article's text in a new locale (saved on Save translation); the locale buttons open the others.
 */
export function Translations({ article }: { article: Article }) {
  const qc = useQueryClient();
  const id = article.id;
  const list = useQuery({ queryKey: ['kb-translations', id], queryFn: () => kbApi.translations(id) });
  const [newLocale, setNewLocale] = useState('');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const { error, save } = useSave([['kb-translations', id]]);
  if (!list.data) return null;
  const current = draft ? list.data.find((x) => x.locale === draft.locale) : undefined;
  const open = (x: Translation) => {
    setMessage(null);
    setDraft({ locale: x.locale, title: x.title, body: x.body, version: x.version });
  };
  const run = (what: string, fn: () => Promise<Translation | null>) =>
    save(async () => {
      setMessage(null);
      const x = await fn();
      if (x) setDraft({ locale: x.locale, title: x.title, body: x.body, version: x.version });
      else setDraft(null);
      await qc.invalidateQueries({ queryKey: ['kb-translations', id] });
      setMessage(what);
    });
  const dirty = !!draft && (!current || current.title !== draft.title || current.body !== draft.body);
  return (
    <Stack gap="xs">
      <FormError error={error} fieldsInPlace={false} />
      {message && (
        <Text size="sm" c="green.8" role="status">
          {message}
        </Text>
      )}
      <Group gap="xs" role="group" aria-label="Translations">
        {list.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No translations yet.
          </Text>
        )}
        {list.data.map((x) => (
          <Button key={x.locale} size="compact-sm" variant={draft?.locale === x.locale ? 'filled' : 'default'} aria-pressed={draft?.locale === x.locale} onClick={() => open(x)}>
            {x.locale} · {TRANSLATION_STATUS_LABELS[x.status]}
          </Button>
        ))}
      </Group>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const locale = newLocale.trim();
          if (!locale) return;
          const existing = list.data.find((x) => x.locale.toLowerCase() === locale.toLowerCase());
          if (existing) open(existing);
          else {
            setMessage(null);
            // Starts from the article's own text, to be translated in place.
            setDraft({ locale, title: article.title, body: article.body });
          }
          setNewLocale('');
        }}
      >
        <Group align="flex-end" gap="xs">
          <TextInput label="Language code" description="fr, de, pt-BR…" value={newLocale} onChange={(e) => setNewLocale(e.currentTarget.value)} maxLength={40} w={180} />
          <Button type="submit" variant="default" disabled={!newLocale.trim()}>
            Add a translation
          </Button>
        </Group>
      </form>
      {draft && (
        <Stack gap="xs" data-testid="kb-translation">
          <Group gap="xs">
            <Text fw={600}>Translation: {draft.locale}</Text>
            <Badge variant="light" color={current ? (current.status === 'published' ? 'green' : current.status === 'draft' ? 'gray' : 'yellow') : 'gray'} data-testid="translation-status">
              {current ? TRANSLATION_STATUS_LABELS[current.status] : 'Not saved'}
            </Badge>
            {current?.publishedVersion != null && article.publishedVersion !== null && (
              <Anchor href={`/help/${current.locale}/articles/${article.slug}`} target="_blank" size="sm">
                View in the help centre ↗
              </Anchor>
            )}
          </Group>
          <TextInput label="Translated title" value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })} maxLength={200} />
          <Textarea label="Translated body (Markdown)" value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.currentTarget.value })} autosize minRows={6} maxRows={24} styles={{ input: { fontFamily: 'ui-monospace, monospace' } }} />
          <Group wrap="wrap">
            <Button onClick={() => void run('Translation saved', () => kbApi.saveTranslation(id, draft.locale, { title: draft.title, body: draft.body, version: draft.version }))} disabled={!dirty}>
              Save translation
            </Button>
            <Button color="green" disabled={!current || dirty || current.status === 'published'} onClick={() => void run('Translation published', () => kbApi.publishTranslation(id, current?.locale ?? draft.locale))}>
              Publish translation
            </Button>
            {current?.publishedVersion != null && (
              <Button variant="default" onClick={() => void run('Translation unpublished', () => kbApi.unpublishTranslation(id, current.locale))}>
                Unpublish translation
              </Button>
            )}
            {current && (
              <Button variant="subtle" color="red" onClick={() => void run('Translation deleted', () => kbApi.deleteTranslation(id, current.locale).then(() => null))}>
                Delete translation
              </Button>
            )}
          </Group>
          {article.publishedVersion === null && (
            <Text size="xs" c="dimmed">
              Readers see a translation once the article itself is published.
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}

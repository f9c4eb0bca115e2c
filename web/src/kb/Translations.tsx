import { Anchor, Badge, Button, Group, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormError, useSave } from '../admin/forms';
import { History } from './History';
import { ChangesRequested, ReviewBadge, ReviewPanel } from './Review';
import { type Article, kbApi, TRANSLATION_STATUS_LABELS, type Translation } from './model';

type Draft = { locale: string; title: string; body: string; version?: number };

/**
 * An article's translations: one per locale, each with its own draft and published text. "Add a translation" starts
 * from the article's text in a new locale (saved on Save translation); the locale buttons open the others. When the
 * settings require a review, a translation is submitted and another agent approves it (or sends it back), as the
 * article is; its history compares and restores versions.
 */
export function Translations({ article }: { article: Article }) {
  const qc = useQueryClient();
  const id = article.id;
  const list = useQuery({ queryKey: ['kb-translations', id], queryFn: () => kbApi.translations(id) });
  const settings = useQuery({ queryKey: ['kb-settings'], queryFn: kbApi.settings });
  const [newLocale, setNewLocale] = useState('');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // Opening a translation (again) starts its review afresh: a half-written "What should change" is dropped.
  const [opened, setOpened] = useState(0);
  const [history, setHistory] = useState(false);
  const { error, save } = useSave([['kb-translations', id]]);
  if (!list.data) return null;
  const requireReview = settings.data?.requireReview === true;
  const enabled = settings.data?.locales ?? [];
  const current = draft ? list.data.find((x) => x.locale === draft.locale) : undefined;
  const open = (x: Translation) => {
    setMessage(null);
    setOpened((n) => n + 1);
    setHistory(false);
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
          <TextInput label="Language code" description={enabled.length ? `The help centre's languages: ${enabled.join(', ')}` : 'An admin adds languages in the help centre settings'} value={newLocale} onChange={(e) => setNewLocale(e.currentTarget.value)} maxLength={40} w={180} />
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
          <ReviewBadge of="translation" item={current} />
          <ChangesRequested of="translation" item={current} />
          <TextInput label="Translated title" value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })} maxLength={200} />
          <Textarea label="Translated body (Markdown)" value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.currentTarget.value })} autosize minRows={6} maxRows={24} styles={{ input: { fontFamily: 'ui-monospace, monospace' } }} />
          <ReviewPanel
            key={opened}
            of="translation"
            item={current}
            requireReview={requireReview}
            dirty={dirty}
            act={run}
            calls={{
              submit: () => kbApi.requestTranslationReview(id, draft.locale),
              approve: () => kbApi.approveTranslation(id, draft.locale),
              requestChanges: (text) => kbApi.requestTranslationChanges(id, draft.locale, text),
            }}
            before={
              <>
                <Button onClick={() => void run('Translation saved', () => kbApi.saveTranslation(id, draft.locale, { title: draft.title, body: draft.body, version: draft.version }))} disabled={!dirty}>
                  Save translation
                </Button>
                {!requireReview && (
                  <Button color="green" disabled={!current || dirty || current.status === 'published'} onClick={() => void run('Translation published', () => kbApi.publishTranslation(id, current?.locale ?? draft.locale))}>
                    Publish translation
                  </Button>
                )}
              </>
            }
            after={
              current && (
                <>
                  {current.publishedVersion != null && (
                    <Button variant="default" onClick={() => void run('Translation unpublished', () => kbApi.unpublishTranslation(id, current.locale))}>
                      Unpublish translation
                    </Button>
                  )}
                  <Button variant="subtle" color="red" onClick={() => void run('Translation deleted', () => kbApi.deleteTranslation(id, current.locale).then(() => null))}>
                    Delete translation
                  </Button>
                </>
              )
            }
          />
          {article.publishedVersion === null && (
            <Text size="xs" c="dimmed">
              Readers see a translation once the article itself is published.
            </Text>
          )}
          {current && (
            <Button variant="subtle" size="compact-sm" w="fit-content" aria-expanded={history} onClick={() => setHistory(!history)}>
              {history ? 'Hide' : 'Show'} the {current.locale} history
            </Button>
          )}
          {current && history && (
            <History
              label={`Versions of the ${current.locale} translation`}
              queryKey={['kb-translations', id, current.locale]}
              latest={current.version}
              versions={() => kbApi.translationVersions(id, current.locale)}
              diff={(from, to) => kbApi.translationDiff(id, current.locale, from, to)}
              restore={(v) => kbApi.restoreTranslation(id, current.locale, v)}
              onRestored={(x) => {
                setDraft({ locale: x.locale, title: x.title, body: x.body, version: x.version });
                void qc.invalidateQueries({ queryKey: ['kb-translations', id] });
                setMessage(`Restored as version ${x.version}`);
              }}
            />
          )}
        </Stack>
      )}
    </Stack>
  );
}

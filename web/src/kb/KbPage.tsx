import { Anchor, Badge, Button, Checkbox, Grid, Group, Loader, Modal, MultiSelect, NavLink, NumberInput, Paper, Select, Stack, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { ApiError } from '../api/client';
import { FormError, useSave } from '../admin/forms';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { History } from './History';
import { NamesModal } from './Names';
import { Related } from './Related';
import { ChangesRequested, ReviewBadge, ReviewPanel } from './Review';
import { Translations } from './Translations';
import { Topics, useFlaggedTopics } from './Topics';
import { type Article, type Category, kbApi, STATUS_COLORS, STATUS_LABELS, statusOf, type Visibility, VISIBILITY_LABELS } from './model';

/** /kb, /kb/new, /kb/topics and /kb/articles/:id: the tree of categories and sections on the left, the editor on the right. */
export function KbPage({ articleId }: { articleId?: string }) {
  const tree = useQuery({ queryKey: ['kb-tree'], queryFn: kbApi.tree });
  const [location] = useLocation();
  const { me } = useSession();
  const [catOpen, cat] = useDisclosure(false);
  const [secOpen, sec] = useDisclosure(false);
  const [setOpen, set] = useDisclosure(false);
  const [namesOpen, names] = useDisclosure(false);
  const isNew = location === '/kb/new';
  const isTopics = location === '/kb/topics';
  const flagged = useFlaggedTopics();
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Knowledge base</Title>
        <Group gap="xs" wrap="wrap">
          <Button component={Link} href="/kb/new">
            New article
          </Button>
          <Button component={Link} href="/kb/topics" variant={isTopics ? 'light' : 'default'} rightSection={flagged ? <Badge color="red" size="sm" aria-label={`${flagged} flagged`}>{flagged}</Badge> : undefined}>
            Recurring topics
          </Button>
          <Button variant="default" onClick={cat.open}>
            New category
          </Button>
          <Button variant="default" onClick={sec.open} disabled={!tree.data?.length}>
            New section
          </Button>
          <Button variant="default" onClick={names.open} disabled={!tree.data?.length}>
            Names in other languages
          </Button>
          {me.role === 'admin' && (
            <Button variant="subtle" onClick={set.open}>
              Help centre settings
            </Button>
          )}
          <Anchor href="/help" target="_blank" size="sm">
            Open the help centre ↗
          </Anchor>
        </Group>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Paper withBorder p="xs">
            {tree.isPending ? <Loader size="sm" /> : <Tree tree={tree.data ?? []} current={articleId} />}
            {tree.data?.length === 0 && <Text c="dimmed">Start with a category, then a section, then articles.</Text>}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {isTopics ? <Topics /> : isNew ? <NewArticle tree={tree.data ?? []} /> : articleId ? <Editor key={articleId} id={articleId} tree={tree.data ?? []} /> : <Text c="dimmed">Choose an article, or write a new one.</Text>}
        </Grid.Col>
      </Grid>
      <CategoryModal opened={catOpen} onClose={cat.close} />
      <SectionModal opened={secOpen} onClose={sec.close} tree={tree.data ?? []} />
      {setOpen && <SettingsModal onClose={set.close} />}
      {namesOpen && <NamesModal tree={tree.data ?? []} onClose={names.close} />}
    </Stack>
  );
}

function Tree({ tree, current }: { tree: Category[]; current?: string }) {
  return (
    <nav aria-label="Knowledge base">
      {tree.map((c) => (
        <NavLink key={c.id} label={c.name} defaultOpened childrenOffset={12} fw={600}>
          {c.sections.map((s) => (
            <NavLink key={s.id} label={`${s.name} (${s.articles.length})`} defaultOpened childrenOffset={12}>
              {s.articles.map((a) => {
                const st = statusOf(a);
                return (
                  <NavLink
                    key={a.id}
                    component={Link}
                    href={`/kb/articles/${a.id}`}
                    active={a.id === current}
                    label={a.title}
                    rightSection={
                      <Badge size="xs" variant="light" color={STATUS_COLORS[st]}>
                        {STATUS_LABELS[st].split(',')[0]}
                      </Badge>
                    }
                  />
                );
              })}
            </NavLink>
          ))}
        </NavLink>
      ))}
    </nav>
  );
}

const sectionOptions = (tree: Category[]) => tree.map((c) => ({ group: c.name, items: c.sections.map((s) => ({ value: s.id, label: s.name })) }));

/** A new draft; from a ticket (`?ticket=<id>`) it starts with the question and the agent's answer. */
function NewArticle({ tree }: { tree: Category[] }) {
  const search = useSearch();
  const ticketId = new URLSearchParams(search).get('ticket') ?? undefined;
  const [, navigate] = useLocation();
  const draft = useQuery({ queryKey: ['kb-draft', ticketId], queryFn: () => kbApi.draftFromTicket(ticketId as string), enabled: !!ticketId });
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [sectionId, setSectionId] = useState<string | null>(null);
  const { error, save } = useSave([['kb-tree']]);
  useEffect(() => {
    if (draft.data) {
      setTitle(draft.data.title);
      setBody(draft.data.body);
    }
  }, [draft.data]);
  const create = () =>
    save(async () => {
      if (!sectionId) throw new ApiError(400, 'VALIDATION_FAILED', 'Choose a section');
      const a = await kbApi.create({ sectionId, title, body, visibility: 'public', organizationIds: [], sourceTicketId: ticketId });
      navigate(`/kb/articles/${a.id}`);
    });
  if (ticketId && draft.isPending) return <Loader />;
  return (
    <Stack>
      <Title order={3}>New article{ticketId ? ' from a ticket' : ''}</Title>
      <FormError error={error} fieldsInPlace />
      <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={error?.fieldError('title')} required />
      <Select label="Section" data={sectionOptions(tree)} value={sectionId} onChange={setSectionId} searchable required error={error?.fieldError('sectionId')} />
      <Textarea label="Body (Markdown)" value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={8} maxRows={24} />
      <Group>
        <Button onClick={() => void create()}>Create draft</Button>
      </Group>
    </Stack>
  );
}

function Editor({ id, tree }: { id: string; tree: Category[] }) {
  const qc = useQueryClient();
  const dir = useDirectory();
  const settings = useQuery({ queryKey: ['kb-settings'], queryFn: kbApi.settings });
  const article = useQuery({ queryKey: ['kb-article', id], queryFn: () => kbApi.article(id) });
  const stats = useQuery({ queryKey: ['kb-stats', id], queryFn: () => kbApi.stats(id) });
  const [form, setForm] = useState<Article | null>(null);
  const [note, setNote] = useState('');
  const [tab, setTab] = useState<string | null>('write');
  const [preview, setPreview] = useState<string | null>(null);
  const [when, setWhen] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const { error, save } = useSave([['kb-tree'], ['kb-article', id], ['kb-versions', id]]);
  useEffect(() => {
    if (article.data) setForm(article.data);
  }, [article.data]);
  useEffect(() => {
    if (tab === 'preview' && form) {
      setPreview(null);
      kbApi.preview(form.body).then(setPreview, (e: Error) => setPreview(`<p>${e.message}</p>`));
    }
  }, [tab, form]);
  if (!form || !article.data) return <Loader />;
  const requireReview = settings.data?.requireReview === true;
  const dirty = form.title !== article.data.title || form.body !== article.data.body || form.sectionId !== article.data.sectionId || form.visibility !== article.data.visibility || form.organizationIds.join() !== article.data.organizationIds.join();
  const act = (what: string, fn: () => Promise<unknown>) =>
    save(async () => {
      setMessage(null);
      const a = (await fn()) as Article;
      qc.setQueryData(['kb-article', id], a);
      setForm(a);
      setMessage(what);
    });
  const saveDraft = () => act('Saved', () => kbApi.save(id, { title: form.title, body: form.body, sectionId: form.sectionId, visibility: form.visibility, organizationIds: form.organizationIds, version: form.version, note }).then((a) => {
    setNote('');
    return a;
  }));
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Badge color={STATUS_COLORS[article.data.status]} variant="light" data-testid="article-status">
            {STATUS_LABELS[article.data.status]}
          </Badge>
          <Text size="sm" c="dimmed">
            Version {article.data.version}
            {article.data.publishedVersion ? ` · version ${article.data.publishedVersion} is live` : ''}
            {article.data.publishAt ? ` · publishes ${new Date(article.data.publishAt).toLocaleString()}` : ''}
          </Text>
        </Group>
        <ReviewBadge of="article" item={article.data} />
        {article.data.publishedVersion !== null && (
          <Anchor href={`/help/articles/${article.data.slug}`} target="_blank" size="sm">
            View in the help centre ↗
          </Anchor>
        )}
      </Group>
      <FormError error={error} fieldsInPlace={false} />
      {message && (
        <Text size="sm" c="green.8" role="status">
          {message}
        </Text>
      )}
      <ChangesRequested of="article" item={article.data} />
      <TextInput label="Title" value={form.title} onChange={(e) => setForm({ ...form, title: e.currentTarget.value })} />
      <Group grow wrap="wrap" align="flex-start">
        <Select label="Section" data={sectionOptions(tree)} value={form.sectionId} onChange={(v) => v && setForm({ ...form, sectionId: v })} searchable />
        <Select
          label="Who can read it"
          data={Object.entries(VISIBILITY_LABELS).map(([value, label]) => ({ value, label }))}
          value={form.visibility}
          onChange={(v) => v && setForm({ ...form, visibility: v as Visibility })}
        />
      </Group>
      {form.visibility === 'organization' && (
        <MultiSelect label="Organisations" data={dir.organizations.map((o) => ({ value: o.id, label: o.name }))} value={form.organizationIds} onChange={(v) => setForm({ ...form, organizationIds: v })} searchable />
      )}
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="write">Write</Tabs.Tab>
          <Tabs.Tab value="preview">Preview</Tabs.Tab>
          <Tabs.Tab value="related">Related</Tabs.Tab>
          <Tabs.Tab value="translations">Translations</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
          <Tabs.Tab value="stats">Stats</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="write" pt="xs">
          <Textarea aria-label="Body (Markdown)" value={form.body} onChange={(e) => setForm({ ...form, body: e.currentTarget.value })} autosize minRows={10} maxRows={30} styles={{ input: { fontFamily: 'ui-monospace, monospace' } }} />
          <Text size="xs" c="dimmed" mt={4}>
            Markdown: ## headings, **bold**, `code`, ``` fenced code ```, | tables |, [links](https://…), images as ![alt](/help/files/…) after uploading.
          </Text>
        </Tabs.Panel>
        <Tabs.Panel value="preview" pt="xs">
          {preview === null ? (
            <Loader size="sm" />
          ) : (
            // biome-ignore lint/security/noDangerouslySetInnerHtml: rendered and sanitised by the server, as the help centre shows it
            <Paper withBorder p="sm" className="message-body" data-testid="kb-preview" dangerouslySetInnerHTML={{ __html: preview }} />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="related" pt="xs">
          {tab === 'related' && <Related id={id} tree={tree} />}
        </Tabs.Panel>
        <Tabs.Panel value="translations" pt="xs">
          {tab === 'translations' && <Translations article={article.data} />}
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="xs">
          {tab === 'history' && (
            <History
              queryKey={['kb-versions', id]}
              latest={article.data.version}
              versions={() => kbApi.versions(id)}
              diff={(from, to) => kbApi.diff(id, from, to)}
              restore={(v) => kbApi.restore(id, v)}
              onRestored={(a) => {
                void qc.invalidateQueries({ queryKey: ['kb-tree'] });
                qc.setQueryData(['kb-article', id], a);
                setForm(a);
                setMessage(`Restored as version ${a.version}`);
              }}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="stats" pt="xs">
          {stats.data && (
            <Text size="sm" data-testid="kb-stats">
              {stats.data.views} views · suggested in {stats.data.suggested} request forms, <span data-testid="kb-deflections">{stats.data.deflections} deflected</span> (solved it, or no request within 30 min) · {stats.data.helpful} found it helpful, {stats.data.notHelpful} did not · linked in {stats.data.linkedInTickets} tickets ({stats.data.solvedAfterLinking} solved after) · suggestions: {stats.data.suggestionFeedback.solved ?? 0} solved,{' '}
              {stats.data.suggestionFeedback.not_related ?? 0} not related, {stats.data.suggestionFeedback.not_answered ?? 0} did not answer
            </Text>
          )}
        </Tabs.Panel>
      </Tabs>
      <TextInput label="What changed (optional, for the history)" value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={500} />
      <ReviewPanel
        of="article"
        item={article.data}
        requireReview={requireReview}
        dirty={dirty}
        act={act}
        calls={{ submit: () => kbApi.requestReview(id), approve: () => kbApi.approve(id), requestChanges: (text) => kbApi.requestChanges(id, text) }}
        before={
          <>
            <Button onClick={() => void saveDraft()} disabled={!dirty}>
              Save draft
            </Button>
            {!requireReview && (
              <Button color="green" onClick={() => void act('Published', () => kbApi.publish(id))} disabled={dirty || article.data.status === 'published'}>
                Publish
              </Button>
            )}
          </>
        }
        after={
          article.data.publishedVersion !== null && (
            <Button variant="default" onClick={() => void act('Unpublished', () => kbApi.unpublish(id))}>
              Unpublish
            </Button>
          )
        }
      />
      <Group align="flex-end" wrap="wrap" hidden={requireReview}>
        <TextInput type="datetime-local" label="Publish later, at" value={when} onChange={(e) => setWhen(e.currentTarget.value)} />
        <Button variant="default" disabled={!when || dirty} onClick={() => void act('Scheduled', () => kbApi.publish(id, new Date(when).toISOString()))}>
          Schedule
        </Button>
        {article.data.publishAt && (
          <Button variant="subtle" onClick={() => void act('Schedule cleared', () => kbApi.publish(id, null))}>
            Clear schedule
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function CategoryModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const { error, save } = useSave([['kb-tree']]);
  return (
    <Modal opened={opened} onClose={onClose} title="New category">
      <Stack>
        <FormError error={error} fieldsInPlace />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={error?.fieldError('name') ?? error?.fieldError('slug')} data-autofocus />
        <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Button onClick={() => void save(() => kbApi.createCategory(name, description), () => {
          setName('');
          setDescription('');
          onClose();
        })}>Create category</Button>
      </Stack>
    </Modal>
  );
}

function SectionModal({ opened, onClose, tree }: { opened: boolean; onClose: () => void; tree: Category[] }) {
  const [name, setName] = useState('');
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const { error, save } = useSave([['kb-tree']]);
  return (
    <Modal opened={opened} onClose={onClose} title="New section">
      <Stack>
        <FormError error={error} fieldsInPlace />
        <Select label="Category" data={tree.map((c) => ({ value: c.id, label: c.name }))} value={categoryId} onChange={setCategoryId} error={error?.fieldError('categoryId')} />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={error?.fieldError('name') ?? error?.fieldError('slug')} />
        <Button onClick={() => void save(() => kbApi.createSection(categoryId ?? '', name, ''), () => {
          setName('');
          onClose();
        })}>Create section</Button>
      </Stack>
    </Modal>
  );
}

function SettingsModal({ onClose }: { onClose: () => void }) {
  const settings = useQuery({ queryKey: ['kb-settings'], queryFn: kbApi.settings });
  const [form, setForm] = useState<typeof settings.data>(undefined);
  // The languages as typed (commas and all), sent as a list.
  const [locales, setLocales] = useState<string | null>(null);
  const { error, save } = useSave([['kb-settings'], ['kb-topics']]);
  useEffect(() => setForm(settings.data), [settings.data]);
  const typed = () => (locales === null ? form?.locales : locales.split(/[\s,]+/).filter(Boolean));
  return (
    <Modal opened onClose={onClose} title="Help centre settings">
      {!form ? (
        <Loader />
      ) : (
        <Stack>
          <FormError error={error} fieldsInPlace />
          <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={error?.fieldError('name')} />
          <TextInput label="Introduction" value={form.intro} onChange={(e) => setForm({ ...form, intro: e.currentTarget.value })} />
          <Group grow>
            <TextInput label="Main colour" value={form.primaryColor} onChange={(e) => setForm({ ...form, primaryColor: e.currentTarget.value })} error={error?.fieldError('primaryColor')} />
            <TextInput label="Accent colour" value={form.accentColor} onChange={(e) => setForm({ ...form, accentColor: e.currentTarget.value })} error={error?.fieldError('accentColor')} />
          </Group>
          <TextInput label="Search language (stemming)" description="english, french, german, spanish, simple, …" value={form.language} onChange={(e) => setForm({ ...form, language: e.currentTarget.value })} error={error?.fieldError('language')} />
          <Group grow>
            <NumberInput label="Flag a topic seen more than (times)" min={1} max={10000} value={form.topicMinTickets ?? 3} onChange={(v) => setForm({ ...form, topicMinTickets: Number(v) || 1 })} error={error?.fieldError('topicMinTickets')} />
            <NumberInput label="…in the last (days)" min={1} max={365} value={form.topicDays ?? 30} onChange={(v) => setForm({ ...form, topicDays: Number(v) || 1 })} error={error?.fieldError('topicDays')} />
          </Group>
          <TextInput
            label="Translation languages"
            description="Language codes besides the help centre's own, comma-separated: fr, de, pt-BR"
            value={locales ?? (form.locales ?? []).join(', ')}
            onChange={(e) => setLocales(e.currentTarget.value)}
            error={error?.fieldError('locales')}
          />
          <Checkbox
            label="Publishing needs a review (another agent approves the version submitted)"
            checked={form.requireReview === true}
            onChange={(e) => setForm({ ...form, requireReview: e.currentTarget.checked })}
          />
          <Button onClick={() => void save(() => kbApi.saveSettings({ ...form, locales: typed() ?? [] }), onClose)}>Save</Button>
        </Stack>
      )}
    </Modal>
  );
}

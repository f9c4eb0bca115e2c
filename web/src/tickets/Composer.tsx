import { Alert, Badge, Button, CloseButton, FileButton, Group, Menu, Paper, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { ApiError, api, upload } from '../api/client';
import type { Ticket } from '../api/types';
import { useDirectory } from '../app/directory';
import { useSession } from '../app/session';
import { ComposerArticles } from '../kb/ComposerArticles';
import { fileSize } from './format';
import { describeChanges, type MacroChanges } from '../macros/changes';

export type ComposerHandle = { focus: (publicReply: boolean) => void };
type Uploaded = { id: string; filename: string; size: number };
type Submit = <T>(what: string, run: (version: number) => Promise<T>) => Promise<T | undefined>;

// Drafts live in localStorage per ticket and mode: a failed send, an expired session or a reload keeps them.
const draftKey = (ticketId: string, pub: boolean) => `lifeline:draft:${ticketId}:${pub ? 'reply' : 'note'}`;

/** Reply or internal note, Markdown, attachments (pick, drop or paste), macros, and "send and set state". */
export const Composer = forwardRef<ComposerHandle, { ticket: Ticket; onTyping: (typing: boolean) => void; submit: Submit; canReplyPublicly: boolean }>(
  function Composer({ ticket, onTyping, submit, canReplyPublicly }, ref) {
    const dir = useDirectory();
    const { me } = useSession();
    const [pub, setPub] = useState(canReplyPublicly);
    const [body, setBody] = useState(() => localStorage.getItem(draftKey(ticket.id, canReplyPublicly)) ?? '');
    const [files, setFiles] = useState<Uploaded[]>([]);
    const [error, setError] = useState<string | null>(null);
    const [busy, setBusy] = useState(false);
    const [preview, setPreview] = useState<string | null>(null);
    const area = useRef<HTMLTextAreaElement>(null);
    // A macro applied and not sent yet: its changes (the agent may drop each) and the text before it, for Undo.
    const [macro, setMacro] = useState<{ id: string; name: string; changes: MacroChanges; before: string; beforePublic: boolean } | null>(null);
    const macros = useQuery({ queryKey: ['macros'], queryFn: () => api.get('/api/v1/macros').then((r) => r.items), enabled: me.role !== 'light_agent' });

    useImperativeHandle(ref, () => ({
      focus: (publicReply) => {
        switchMode(publicReply && canReplyPublicly);
        setTimeout(() => area.current?.focus(), 0);
      },
    }));
    useEffect(() => {
      if (body) localStorage.setItem(draftKey(ticket.id, pub), body);
      else localStorage.removeItem(draftKey(ticket.id, pub));
    }, [body, pub, ticket.id]);

    const togglePreview = async () => {
      if (preview !== null) return setPreview(null);
      if (!body.trim()) return;
      try {
        setPreview((await api.post('/api/v1/messages/preview', { body: { body, format: 'markdown' } })).html);
      } catch (err) {
        setError((err as Error).message);
      }
    };
    const switchMode = (toPublic: boolean) => {
      if (toPublic === pub) return;
      setPub(toPublic);
      setBody(localStorage.getItem(draftKey(ticket.id, toPublic)) ?? '');
    };
    // "Typing a reply" is having a draft in progress: what a colleague about to answer needs to know.
    useEffect(() => onTyping(body.trim().length > 0), [body, onTyping]);
    const addFiles = async (list: File[]) => {
      setError(null);
      for (const f of list) {
        try {
          const a = await upload(f);
          setFiles((xs) => [...xs, { id: a.id, filename: a.filename, size: a.size }]);
        } catch (err) {
          setError(`${f.name}: ${(err as Error).message}`);
        }
      }
    };
    const send = async (status?: string) => {
      const macroChanges = macro ? describeChanges(macro.changes, dir).length > 0 : false;
      if (!body.trim() && !macroChanges) {
        setError('Write something first');
        return;
      }
      setBusy(true);
      setError(null);
      try {
        // With a macro applied, its changes the agent kept go with the text, in one request (one transaction).
        const result = await submit(macro ? `The macro ${macro.name}` : pub ? 'Your reply' : 'Your note', (version) =>
          macro
            ? api.post('/api/v1/tickets/{ticketId}/macros/{id}/apply', {
                path: { ticketId: ticket.id, id: macro.id },
                body: { body, public: pub, attachmentIds: files.map((f) => f.id), changes: macro.changes, status, version },
              })
            : api.post('/api/v1/tickets/{id}/messages', {
                path: { id: ticket.id },
                body: { body, public: pub, format: 'markdown', attachmentIds: files.map((f) => f.id), status, version },
              }),
        );
        if (result) {
          setMacro(null);
          setPreview(null);
          setBody('');
          setFiles([]);
          localStorage.removeItem(draftKey(ticket.id, pub));
        }
      } catch (err) {
        setError(err instanceof ApiError ? err.message : String(err));
      } finally {
        setBusy(false);
      }
    };
    const applyMacro = async (id: string | null) => {
      if (!id) return;
      try {
        const r = await api.post('/api/v1/tickets/{ticketId}/macros/{id}/render', { path: { ticketId: ticket.id, id } });
        const name = macros.data?.find((m) => m.id === id)?.name ?? 'macro';
        // A second macro replaces the first one's pending changes; Undo goes back to before the first.
        setMacro((m) => ({ id, name, changes: r.changes, before: m?.before ?? body, beforePublic: m?.beforePublic ?? pub }));
        const toPublic = r.public && canReplyPublicly;
        if (toPublic !== pub) setPub(toPublic);
        if (r.body) setBody((b) => (b.trim() ? `${b}\n\n${r.body}` : r.body));
      } catch (err) {
        setError((err as Error).message);
      }
    };
    const undoMacro = () => {
      if (!macro) return;
      setPub(macro.beforePublic);
      setBody(macro.before);
      setMacro(null);
    };
    const pending = macro ? describeChanges(macro.changes, dir) : [];
    const states = dir.states.filter((s) => !['merged', 'new'].includes(s.category) && s.key !== ticket.status);

    return (
      <Paper withBorder p="sm" className={pub ? undefined : 'internal-note'}>
        <Stack gap="xs">
          <Group justify="space-between">
            <SegmentedControl
              size="xs"
              value={pub ? 'reply' : 'note'}
              onChange={(v) => switchMode(v === 'reply')}
              data={[
                { value: 'reply', label: 'Public reply', disabled: !canReplyPublicly },
                { value: 'note', label: 'Internal note' },
              ]}
              aria-label="Reply or note"
            />
            {(macros.data?.length ?? 0) > 0 && (
              <Select size="xs" w={220} placeholder="Apply a macro…" aria-label="Apply a macro" searchable data={(macros.data ?? []).map((m) => ({ value: m.id, label: m.name }))} value={null} onChange={(v) => void applyMacro(v)} />
            )}
          </Group>
          {macro && (
            <Paper withBorder p="xs" bg="var(--mantine-color-blue-light)" data-testid="macro-changes" aria-label={`Changes of the macro ${macro.name}`}>
              <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
                <Stack gap={4}>
                  <Text size="xs" fw={600}>
                    {pending.length ? `On send, ${macro.name} also makes these changes:` : `${macro.name}: no field changes left; only the text goes.`}
                  </Text>
                  <Group gap={6}>
                    {pending.map((line) => (
                      <Badge
                        key={line.id}
                        variant="white"
                        tt="none"
                        rightSection={<CloseButton size="xs" aria-label={`Don't ${line.text}`} onClick={() => setMacro({ ...macro, changes: line.drop(macro.changes) })} />}
                      >
                        {line.text}
                      </Badge>
                    ))}
                  </Group>
                </Stack>
                <Button size="compact-xs" variant="subtle" onClick={undoMacro}>
                  Undo macro
                </Button>
              </Group>
            </Paper>
          )}
          {!pub && (
            <Text size="xs" c="yellow.9">
              Only staff see internal notes.
            </Text>
          )}
          {preview !== null && (
            // biome-ignore lint/security/noDangerouslySetInnerHtml: the server sanitised it, as it does every message
            <Paper withBorder p="sm" className="message-body" data-testid="composer-preview" dangerouslySetInnerHTML={{ __html: preview }} />
          )}
          <Textarea
            style={preview !== null ? { display: 'none' } : undefined}
            ref={area}
            aria-label={pub ? 'Reply to the requester' : 'Internal note'}
            placeholder={pub ? `Reply to ${ticket.requester.name || ticket.requester.email} (Markdown)` : 'Note for the team (Markdown)'}
            autosize
            minRows={4}
            maxRows={16}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void send();
              if (e.key === 'Escape') e.currentTarget.blur();
            }}
            onPaste={(e) => {
              const pasted = [...e.clipboardData.files];
              if (pasted.length) {
                e.preventDefault();
                void addFiles(pasted);
              }
            }}
            onDrop={(e) => {
              if (e.dataTransfer.files.length) {
                e.preventDefault();
                void addFiles([...e.dataTransfer.files]);
              }
            }}
          />
          {pub && me.role !== 'light_agent' && (
            <ComposerArticles
              ticket={ticket}
              insert={(text) => {
                setPreview(null);
                setBody((b) => (b.trim() ? `${b.replace(/\s+$/, '')} ${text}` : text));
              }}
            />
          )}
          {files.length > 0 && (
            <Group gap="xs">
              {files.map((f) => (
                <Badge key={f.id} variant="light" rightSection={<CloseButton size="xs" aria-label={`Remove ${f.filename}`} onClick={() => setFiles((xs) => xs.filter((x) => x.id !== f.id))} />}>
                  {f.filename} ({fileSize(f.size)})
                </Badge>
              ))}
            </Group>
          )}
          {error && (
            <Alert color="red" py={6} role="alert">
              {error}
            </Alert>
          )}
          <Group justify="space-between">
            <Group gap={0}>
              <FileButton onChange={(fs) => void addFiles(fs)} multiple>
                {(props) => (
                  <Button {...props} size="xs" variant="subtle">
                    Attach files
                  </Button>
                )}
              </FileButton>
              <Button size="xs" variant="subtle" onClick={() => void togglePreview()} disabled={!body.trim() && preview === null}>
                {preview === null ? 'Preview' : 'Edit'}
              </Button>
            </Group>
            <Group gap={0}>
              <Button size="xs" onClick={() => void send()} loading={busy} style={{ borderTopRightRadius: 0, borderBottomRightRadius: 0 }}>
                {pub ? 'Send reply' : 'Add note'}
              </Button>
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button size="xs" px={8} aria-label="Send and set state" disabled={busy} style={{ borderTopLeftRadius: 0, borderBottomLeftRadius: 0, borderLeft: '1px solid rgba(255,255,255,.4)' }}>
                    ▾
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {states.map((s) => (
                    <Menu.Item key={s.key} onClick={() => void send(s.key)}>
                      {pub ? 'Send' : 'Add'} and set {s.label}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
            </Group>
          </Group>
        </Stack>
      </Paper>
    );
  },
);

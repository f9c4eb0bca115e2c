import { Anchor, Badge, Button, Group, Image, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Message, Ticket } from '../api/types';
import { When } from '../app/When';
import { fileSize } from './format';
import { hasRemoteImages, withRemoteImages } from './remote-images';

/** The conversation: public replies and internal notes (yellow, marked), attachments, quoted history folded. */
export function Conversation({ ticket }: { ticket: Ticket }) {
  const messages = useQuery({
    queryKey: ['ticket', ticket.id, 'messages', ticket.version],
    queryFn: () => api.get('/api/v1/tickets/{id}/messages', { path: { id: ticket.id } }).then((r) => r.items),
    placeholderData: (previous) => previous,
  });
  return (
    <Stack gap="sm" aria-label="Conversation">
      {(messages.data ?? []).map((m) => (
        <MessageCard key={m.id} m={m} ticketId={ticket.id} />
      ))}
    </Stack>
  );
}

function MessageCard({ m, ticketId }: { m: Message; ticketId: string }) {
  const [showQuoted, setShowQuoted] = useState(false);
  const hasQuote = m.bodyHtml.includes('<blockquote');
  const [showRemote, setShowRemote] = useState(false);
  const held = hasRemoteImages(m.bodyHtml);
  const bodyHtml = useMemo(() => (showRemote && held ? withRemoteImages(m.bodyHtml) : m.bodyHtml), [m.bodyHtml, showRemote, held]);
  const images = m.attachments.filter((a) => a.contentType.startsWith('image/'));
  const files = m.attachments.filter((a) => !a.contentType.startsWith('image/'));
  const who = m.author?.name ?? 'Unknown sender';
  return (
    <Paper withBorder p="sm" className={m.public ? undefined : 'internal-note'} data-testid={m.public ? 'public-message' : 'internal-note'}>
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Group gap={6}>
          <Text fw={600} size="sm">
            {who}
          </Text>
          {!m.public && (
            <Badge size="xs" color="yellow" variant="filled">
              Internal note
            </Badge>
          )}
          {m.senderUnverified && (
            // Mail from a staff address that proved nothing (no reply to Lifeline's own mail, no reply token, no
            // trusted DMARC pass): kept as a note so an agent can judge it, never sent on to the customer.
            <Badge size="xs" color="red" variant="filled" title="The From: address is a staff member's, but the mail proved nothing: it may be forged" data-testid="unverified-sender">
              Unverified sender
            </Badge>
          )}
          {m.direction === 'inbound' && m.author?.role === 'customer' && (
            <Badge size="xs" variant="light">
              requester
            </Badge>
          )}
        </Group>
        <Group gap={8}>
          {m.channel === 'email' && m.direction === 'inbound' && (
            <Anchor size="xs" href={`/api/v1/tickets/${ticketId}/messages/${m.id}/raw`} target="_blank" rel="noreferrer">
              Raw email
            </Anchor>
          )}
          <Text size="xs" c="dimmed" title={m.createdAt}>
            <When at={m.createdAt} />
          </Text>
        </Group>
      </Group>
      {held && !showRemote && (
        <Group gap={6} mb={4} data-testid="remote-images-held">
          <Text size="xs" c="dimmed">
            Remote images in this message are not loaded.
          </Text>
          <Button size="compact-xs" variant="light" onClick={() => setShowRemote(true)}>
            Show remote images
          </Button>
        </Group>
      )}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the server sanitises every message's HTML (no scripts or handlers; customers' remote images held until "Show remote images") */}
      <div className={`message-body${hasQuote && !showQuoted ? ' hide-quotes' : ''}`} dangerouslySetInnerHTML={{ __html: bodyHtml }} />
      {hasQuote && (
        <Button size="compact-xs" variant="subtle" onClick={() => setShowQuoted((s) => !s)}>
          {showQuoted ? 'Hide quoted text' : '··· Show quoted text'}
        </Button>
      )}
      {images.length > 0 && (
        <SimpleGrid cols={4} mt="xs">
          {images.map((a) => (
            <Anchor key={a.id} href={`/api/v1/attachments/${a.id}`} target="_blank" rel="noreferrer" title={a.filename}>
              <Image src={`/api/v1/attachments/${a.id}`} alt={a.filename} h={90} fit="cover" radius="sm" />
            </Anchor>
          ))}
        </SimpleGrid>
      )}
      {files.length > 0 && (
        <Group gap="xs" mt="xs">
          {files.map((a) => (
            <Anchor key={a.id} size="sm" href={`/api/v1/attachments/${a.id}`}>
              📎 {a.filename} ({fileSize(a.size)})
            </Anchor>
          ))}
        </Group>
      )}
    </Paper>
  );
}

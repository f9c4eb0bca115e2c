import { Accordion, Loader, SimpleGrid, Text, Timeline } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { When } from '../app/When';
import { reportsApi, show } from './model';

const SLA = (v: string | null) => (v === 'met' ? 'met' : v === 'breached' ? 'breached' : 'no outcome yet');

/** "Why these numbers": the ticket's first response, resolution, waits and SLA outcomes, and the events that made them. */
export function WhyTheseNumbers({ ticketId, version }: { ticketId: string; version: number }) {
  const [open, setOpen] = useState<string | null>(null);
  const why = useQuery({ queryKey: ['ticket-metrics', ticketId, version], queryFn: () => reportsApi.why(ticketId), enabled: open === 'why' });
  const m = why.data?.metrics;
  const both = (s: number | null | undefined, bs: number | null | undefined) => (s === null || s === undefined ? '—' : `${show(s, 'seconds')} (${show(bs, 'seconds')} business)`);
  return (
    <Accordion variant="contained" value={open} onChange={setOpen}>
      <Accordion.Item value="why">
        <Accordion.Control>Why these numbers</Accordion.Control>
        <Accordion.Panel>
          {why.isPending ? (
            <Loader size="sm" />
          ) : !m ? (
            <Text c="dimmed">No numbers yet.</Text>
          ) : (
            <>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={4} mb="sm" data-testid="why-numbers">
                <Text size="sm">First response: {both(m.frtS, m.frtBs)}</Text>
                <Text size="sm">First resolution: {both(m.firstResolutionS, m.firstResolutionBs)}</Text>
                <Text size="sm">Full resolution: {both(m.fullResolutionS, m.fullResolutionBs)}</Text>
                <Text size="sm">
                  Next responses: {m.nextResponseCount ? `${m.nextResponseCount}, on average ${both(m.nextResponseS / m.nextResponseCount, m.nextResponseBs / m.nextResponseCount)}` : 'none'}
                </Text>
                <Text size="sm">Requester waited: {both(m.requesterWaitS, m.requesterWaitBs)}</Text>
                <Text size="sm">Agents waited (pending): {both(m.agentWaitS, m.agentWaitBs)}</Text>
                <Text size="sm">On hold: {both(m.onHoldS, m.onHoldBs)}</Text>
                <Text size="sm">
                  Replies: {m.agentReplies} from agents, {m.requesterReplies} from the customer; reopened {m.reopens}×
                </Text>
                <Text size="sm">
                  SLA: first response {SLA(m.slaFirstResponse)}, resolution {SLA(m.slaResolution)}
                </Text>
              </SimpleGrid>
              <Timeline bulletSize={10} lineWidth={1}>
                {(why.data?.trace ?? []).map((e) => (
                  <Timeline.Item key={e.eventId} title={<Text size="sm">{e.note}</Text>}>
                    <Text size="xs" c="dimmed">
                      <When at={e.at} />
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </>
          )}
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}

import { Button, Code, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { FormError, useSave } from '../admin/forms';
import type { Diff } from './model';

type VersionRow = { version: number; note?: string; title: string; createdAt: string };

/**
 * The versions of an article or of one of its translations: compare one with the latest (a line diff from the
 * server) and restore it, which saves it as a new version (history is never rewritten).
 */
export function History<T>({
  queryKey,
  latest,
  versions,
  diff,
  restore,
  onRestored,
  label = 'Versions',
}: {
  queryKey: string[];
  latest: number;
  versions: () => Promise<VersionRow[]>;
  diff: (from: number, to: number) => Promise<Diff>;
  restore: (version: number) => Promise<T>;
  onRestored: (restored: T) => void;
  label?: string;
}) {
  const list = useQuery({ queryKey: [...queryKey, 'versions', latest], queryFn: versions });
  const [picked, setPicked] = useState<number | null>(null);
  const shown = useQuery({ queryKey: [...queryKey, 'diff', picked, latest], queryFn: () => diff(picked as number, latest), enabled: picked !== null && picked !== latest });
  const { error, save } = useSave([queryKey]);
  return (
    <Stack>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table aria-label={label}>
          <Table.Tbody>
            {(list.data ?? []).map((v) => (
              <Table.Tr key={v.version}>
                <Table.Td>v{v.version}</Table.Td>
                <Table.Td>{v.note === undefined ? v.title : v.note || '—'}</Table.Td>
                <Table.Td>{new Date(v.createdAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  {v.version !== latest && (
                    <Button size="xs" variant="subtle" onClick={() => setPicked(v.version)}>
                      Compare v{v.version} with v{latest}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <FormError error={error} />
      {shown.data && picked !== null && (
        <Paper withBorder p="xs" data-testid="kb-diff">
          <Group justify="space-between" mb="xs">
            <Text size="sm" fw={600}>
              v{shown.data.from} → v{shown.data.to}
              {shown.data.title.before !== shown.data.title.after ? ` · title: “${shown.data.title.before}” → “${shown.data.title.after}”` : ''}
            </Text>
            <Button size="xs" onClick={() => void save(async () => onRestored(await restore(picked)), () => setPicked(null))}>
              Restore v{picked}
            </Button>
          </Group>
          <Code block>
            {shown.data.lines.map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines of one diff, in order, never reordered
              <div key={i} style={{ background: l.op === '+' ? '#d3f9d8' : l.op === '-' ? '#ffe3e3' : undefined }}>
                {l.op === '=' ? ' ' : l.op} {l.text}
              </div>
            ))}
          </Code>
        </Paper>
      )}
    </Stack>
  );
}

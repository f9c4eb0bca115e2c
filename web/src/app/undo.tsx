import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';

/** How long "Undo" stays on offer after a change: long enough to notice a slip, short enough not to linger. */
export const UNDO_MS = 8000;

/**
 * The toast that confirms a change. With `undo` it offers to take the change back for a few seconds; undo is the
 * inverse change, sent with the version check like any other, so it never overwrites someone else's change.
 */
export function confirmChange({ message, undo }: { message: string; undo?: () => Promise<unknown> }): void {
  const id = `change-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  notifications.show({
    id,
    color: 'teal',
    autoClose: undo ? UNDO_MS : 3000,
    message: (
      <Group justify="space-between" wrap="nowrap" gap="sm" data-testid="change-toast">
        <Text size="sm">{message}</Text>
        {undo && (
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => {
              notifications.hide(id);
              void undo();
            }}
          >
            Undo
          </Button>
        )}
      </Group>
    ),
  });
}

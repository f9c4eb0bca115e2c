import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { Link } from 'wouter';

/** Unknown pages and tickets you may not see look the same: the API answers 404 for both. */
export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <Center h="60vh">
      <Stack align="center">
        <Title order={2}>Not found</Title>
        <Text c="dimmed">There is no such {what}, or it is not yours to see.</Text>
        <Button component={Link} href="/views/triage" variant="light">
          Back to the queue
        </Button>
      </Stack>
    </Center>
  );
}

import { Alert, Button, Center, Checkbox, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError, api, setCsrfToken } from '../api/client';

/**
 * The first run, in the browser: while no admin exists, whoever has the setup token `npm start` printed creates
 * the first admin here (and may load the demo desk). The server refuses this for good once an admin exists.
 */
export function SetupPage({ onSignedIn, onSetupDone }: { onSignedIn: () => Promise<void>; onSetupDone: () => void }) {
  const [form, setForm] = useState({ token: '', name: '', email: '', password: '', demo: false });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: 'token' | 'name' | 'email' | 'password') => (e: { currentTarget: { value: string } }) => setForm({ ...form, [key]: e.currentTarget.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post('/api/v1/setup', { body: form });
      setCsrfToken(res.csrfToken);
      await onSignedIn();
    } catch (err) {
      const apiError = err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err));
      // Someone else finished setup meanwhile: the sign-in page is what is left.
      if (apiError.problem.setupDone) return onSetupDone();
      setError(apiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" p="xl" w={440} component="main">
        <form onSubmit={submit} aria-labelledby="setup-title">
          <Stack>
            <Title order={2} id="setup-title">
              Set up Lifeline
            </Title>
            <Text size="sm" c="dimmed">
              No admin exists yet. Create the first one. The setup token was printed where <code>npm start</code> runs (and saved in the
              <code> setup-token</code> file of the data directory); it works once.
            </Text>
            {error && !error.fields.length && (
              <Alert color="red" role="alert">
                {error.message}
              </Alert>
            )}
            <TextInput label="Setup token" required autoComplete="off" spellCheck={false} value={form.token} onChange={set('token')} error={error?.fieldError('token')} data-autofocus autoFocus />
            <TextInput label="Your name" required autoComplete="name" value={form.name} onChange={set('name')} error={error?.fieldError('name')} />
            <TextInput label="Email" type="email" required autoComplete="username" value={form.email} onChange={set('email')} error={error?.fieldError('email')} />
            <PasswordInput label="Password" description="At least 10 characters" required autoComplete="new-password" value={form.password} onChange={set('password')} error={error?.fieldError('password')} />
            <Checkbox
              label="Load the demo desk (organisations, agents and tickets to try things on; its agents sign in with the password you choose here)"
              checked={form.demo}
              onChange={(e) => setForm({ ...form, demo: e.currentTarget.checked })}
            />
            <Button type="submit" loading={busy}>
              {form.demo ? 'Create admin and load the demo' : 'Create admin'}
            </Button>
            {busy && form.demo && (
              <Text size="sm" c="dimmed" role="status">
                Loading the demo takes up to a minute…
              </Text>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

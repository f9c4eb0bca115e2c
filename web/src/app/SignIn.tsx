import { Alert, Anchor, Button, Center, Modal, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError, api, setCsrfToken } from '../api/client';
import { ForgotPassword } from './PasswordReset';

function SignInForm({ onSignedIn, email: initialEmail = '', onForgot }: { onSignedIn: () => void | Promise<void>; email?: string; onForgot?: (email: string) => void }) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post('/api/v1/session', { body: { email, password } });
      setCsrfToken(res.csrfToken);
      await onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        {error && !error.fields.length && (
          <Alert color="red" role="alert">
            {error.message}
          </Alert>
        )}
        <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={error?.fieldError('email')} data-autofocus />
        <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={error?.fieldError('password')} />
        <Button type="submit" loading={busy}>
          Sign in
        </Button>
        {onForgot && (
          <Anchor component="button" type="button" size="sm" onClick={() => onForgot(email)}>
            Forgot password?
          </Anchor>
        )}
      </Stack>
    </form>
  );
}

export function SignInPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [forgot, setForgot] = useState<string | null>(null);
  return (
    <Center h="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={380}>
        <Title order={2} mb="md">
          Lifeline
        </Title>
        {forgot === null ? <SignInForm onSignedIn={onSignedIn} onForgot={setForgot} /> : <ForgotPassword email={forgot} onBack={() => setForgot(null)} />}
      </Paper>
    </Center>
  );
}

/** Shown over the page when the session has expired: sign in again and carry on where you were. */
export function SessionExpired({ email, onSignedIn }: { email: string; onSignedIn: () => Promise<void> }) {
  return (
    <Modal opened onClose={() => {}} withCloseButton={false} title="Your session has ended" centered>
      <Alert color="yellow" mb="md">
        Sign in again to carry on. Nothing you were writing is lost.
      </Alert>
      <SignInForm onSignedIn={onSignedIn} email={email} />
    </Modal>
  );
}

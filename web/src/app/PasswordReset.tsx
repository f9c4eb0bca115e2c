import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../api/client';

const asApiError = (err: unknown) => (err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err)));

/** "Forgot password?" on the sign-in page: the same answer whether the address has an account or not. */
export function ForgotPassword({ email: initialEmail, onBack }: { email: string; onBack: () => void }) {
  const [email, setEmail] = useState(initialEmail);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // 202: the client types only 200/201 answers.
      setSent(((await api.post('/api/v1/password-reset/request', { body: { email } })) as { message: string }).message);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="forgot-title">
      <Stack>
        <Title order={3} id="forgot-title">
          Set a new password
        </Title>
        {sent ? (
          <Alert color="teal" role="status">
            {sent}
          </Alert>
        ) : (
          <>
            <Text size="sm">We email you a link to choose a new password.</Text>
            {error && !error.fields.length && (
              <Alert color="red" role="alert">
                {error.message}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={error?.fieldError('email')} data-autofocus autoFocus />
            <Button type="submit" loading={busy}>
              Email me a link
            </Button>
          </>
        )}
        <Anchor component="button" type="button" size="sm" onClick={onBack}>
          Back to sign-in
        </Anchor>
      </Stack>
    </form>
  );
}

/**
 * The page a reset link opens (/reset-password#token=…; the token stays in the fragment, out of logs and Referer).
 * It says whose password it sets, then sets it once; every session of that person ends, so they sign in afresh.
 */
export function ResetPasswordPage() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  const [who, setWho] = useState<string | null>(null);
  const [linkError, setLinkError] = useState<ApiError | null>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api
      .post('/api/v1/password-reset/check', { body: { token: token || '-' } })
      .then((r) => setWho(r.email))
      .catch((err: unknown) => setLinkError(asApiError(err)));
  }, [token]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/v1/password-reset', { body: { token, password } });
      setDone(true);
    } catch (err) {
      const apiError = asApiError(err);
      if (apiError.code.startsWith('RESET_LINK_')) setLinkError(apiError);
      else setError(apiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" p="xl" w={420} component="main">
        <Stack>
          <Title order={2}>Set a new password</Title>
          {done ? (
            <>
              <Alert color="teal" role="status">
                Your password is set. You are signed out everywhere; sign in with the new one.
              </Alert>
              <Button component="a" href="/">
                Sign in
              </Button>
            </>
          ) : linkError ? (
            <>
              <Alert color="red" role="alert">
                {linkError.message}
              </Alert>
              <Button component="a" href="/" variant="default">
                Back to sign-in
              </Button>
            </>
          ) : (
            who && (
              <form onSubmit={submit} aria-label="Choose a new password">
                <Stack>
                  <Text size="sm">For the account {who}. Setting it signs this account out everywhere.</Text>
                  {error && !error.fields.length && (
                    <Alert color="red" role="alert">
                      {error.message}
                    </Alert>
                  )}
                  <PasswordInput
                    label="New password"
                    description="At least 10 characters"
                    required
                    autoComplete="new-password"
                    value={password}
                    onChange={(e) => setPassword(e.currentTarget.value)}
                    error={error?.fieldError('password')}
                    data-autofocus
                    autoFocus
                  />
                  <Button type="submit" loading={busy}>
                    Set password
                  </Button>
                </Stack>
              </form>
            )
          )}
        </Stack>
      </Paper>
    </Center>
  );
}

import { Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { NewTicketPage } from '../tickets/NewTicketPage';
import { IncidentsArea } from '../incidents/IncidentsArea';
import { BoardsArea } from '../boards/BoardsArea';
import { TimePage } from '../time/TimePage';
import { TicketPage } from '../tickets/TicketPage';
import { SearchPage, ViewPage } from '../views/ViewPage';
import { api } from '../api/client';
import { NotFound } from './NotFound';
import { ResetPasswordPage } from './PasswordReset';
import { SetupPage } from './SetupPage';
import { SatisfactionPage } from '../csat/Satisfaction';
import { SessionProvider, useSessionLoader } from './session';
import { Shell } from './Shell';
import { SessionExpired, SignInPage } from './SignIn';

// Admin screens are a separate chunk: most sessions never open them.
const AdminPage = lazy(() => import('../admin/AdminPage').then((m) => ({ default: m.AdminPage })));
const KbPage = lazy(() => import('../kb/KbPage').then((m) => ({ default: m.KbPage })));
const ReportsPage = lazy(() => import('../reports/ReportsPage').then((m) => ({ default: m.ReportsPage })));
const OncallPage = lazy(() => import('../oncall/OncallPage').then((m) => ({ default: m.OncallPage })));

export function App() {
  const { me, expired, signedIn, signOut } = useSessionLoader();
  const qc = useQueryClient();
  // Asked only when nobody is signed in: a desk with no admin yet offers its one-time setup instead of sign-in.
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => api.get('/api/v1/setup'), enabled: me.data === null, staleTime: Number.POSITIVE_INFINITY });
  // A reset link works whoever is signed in in this browser (it ends the account's sessions anyway).
  if (window.location.pathname === '/reset-password') return <ResetPasswordPage />;
  if (me.isPending || (me.data === null && setup.isPending)) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  if (!me.data && setup.data?.needed) return <SetupPage onSignedIn={signedIn} onSetupDone={() => qc.setQueryData(['setup'], { needed: false })} />;
  if (!me.data) return <SignInPage onSignedIn={signedIn} />;
  if (me.data.role === 'customer') return <CustomerNotice onSignOut={signOut} />;
  return (
    <SessionProvider value={{ me: me.data, expired, signedIn, signOut }}>
      {expired && <SessionExpired email={me.data.email} onSignedIn={signedIn} />}
      <Shell>
        <Switch>
          <Route path="/">
            <Redirect to="/views/triage" replace />
          </Route>
          <Route path="/views/:id">{(p) => <ViewPage viewId={p.id} />}</Route>
          <Route path="/search" component={SearchPage} />
          <Route path="/tickets/new" component={NewTicketPage} />
          <Route path="/tickets/:number">{(p) => <TicketPage number={p.number} />}</Route>
          <Route path="/boards/:id?">{(p) => <BoardsArea id={p.id} />}</Route>
          <Route path="/time/:section?">{(p) => <TimePage section={p.section ?? 'week'} />}</Route>
          <Route path="/satisfaction" component={SatisfactionPage} />
          <Route path="/incidents/:id?">{(p) => <IncidentsArea id={p.id} />}</Route>
          <Route path="/kb/articles/:id">{(p) => <Suspense fallback={<Loader m="xl" />}><KbPage articleId={p.id} /></Suspense>}</Route>
          <Route path="/kb/:new?">{() => <Suspense fallback={<Loader m="xl" />}><KbPage /></Suspense>}</Route>
          <Route path="/reports/:section?">
            {(p) => (
              <Suspense fallback={<Loader m="xl" />}>
                <ReportsPage section={p.section} />
              </Suspense>
            )}
          </Route>
          <Route path="/oncall/pages/:id">{(p) => <Suspense fallback={<Loader m="xl" />}><OncallPage section="pages" pageId={p.id} /></Suspense>}</Route>
          <Route path="/oncall/:section?">{(p) => <Suspense fallback={<Loader m="xl" />}><OncallPage section={p.section ?? 'now'} /></Suspense>}</Route>
          <Route path="/admin/:section?">
            {(p) => (
              <Suspense fallback={<Loader m="xl" />}>
                <AdminPage section={p.section ?? 'users'} />
              </Suspense>
            )}
          </Route>
          <Route>
            <NotFound />
          </Route>
        </Switch>
      </Shell>
    </SessionProvider>
  );
}

/** Customers sign in to the portal, not here; until the portal exists, say so instead of showing agent screens. */
function CustomerNotice({ onSignOut }: { onSignOut: () => Promise<void> }) {
  return (
    <Center h="100vh">
      <Stack align="center" maw={420}>
        <Title order={3}>This is the support team's workspace</Title>
        <Text c="dimmed" ta="center">
          Your requests and our replies are in the customer portal, and reach you by email too.
        </Text>
        <Group>
          <Button component="a" href="/portal">
            Open your requests
          </Button>
          <Button variant="default" onClick={() => void onSignOut()}>
            Sign out
          </Button>
        </Group>
      </Stack>
    </Center>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken, whenSignedOut } from '../api/client';
import type { Me } from '../api/types';

type SessionState = { me: Me; expired: boolean; signedIn: () => Promise<void>; signOut: () => Promise<void> };
const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/**
 * Who is signed in. When a request finds the session gone (expired, signed out elsewhere) the page stays as it
 * is — drafts included — and a sign-in dialog appears over it (`expired`).
 */
export function useSessionLoader() {
  const qc = useQueryClient();
  const [expired, setExpired] = useState(false);
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        const m = await api.get('/api/v1/me');
        setCsrfToken(m.csrfToken);
        return m;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
  useEffect(() => whenSignedOut(() => setExpired(true)), []);
  const signedIn = async () => {
    setExpired(false);
    await qc.invalidateQueries({ queryKey: ['me'] });
    await qc.invalidateQueries();
  };
  const signOut = async () => {
    await api.delete('/api/v1/session', {}).catch(() => {});
    setCsrfToken(null);
    qc.clear();
    qc.setQueryData(['me'], null);
  };
  return { me, expired, signedIn, signOut };
}

export function SessionProvider({ value, children }: { value: SessionState; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

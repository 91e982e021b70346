//! Who is using the app and what they may do. At start the gate asks the core
//! for the session: when users exist and nobody is signed in it shows the
//! sign-in screen, otherwise the app. `useSession().can(name)` tells a screen
//! whether to offer an action (names from crates/app/src/access.rs); the core
//! refuses anyway, the UI just never offers what would be refused.
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { Center, Loader } from '@mantine/core';
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { sessionGet, sessionSignOut } from './api';
import type { ApiError, SessionView } from './bindings';
import { isApiError } from './errors';
import { notifyError } from './notify';
import { SignInScreen } from './pages/SignInScreen';
import { Notice } from './components/Notice';
import { SESSION_KEY, forgetAllButSession } from './sessionCache';

// Kept here too: screens import the session's cache key from the session module.
export { SESSION_KEY, forgetAllButSession };


export type Session = {
  /** Null when the core could not say (no database, browser preview): nothing is offered then. */
  session: SessionView | null;
  /** Why there is no session, when there is none. */
  error: ApiError | null;
  can: (useCase: string) => boolean;
  signOut: () => void;
  signingOut: boolean;
};

const NOBODY: Session = { session: null, error: null, can: () => false, signOut: () => {}, signingOut: false };

const SessionContext = createContext<Session>(NOBODY);

export function useSession(): Session {
  return useContext(SessionContext);
}

/** Shorthand: whether the signed-in user may call this use case. */
export function useCan(useCase: string): boolean {
  return useSession().can(useCase);
}

/** Any call refused with `sign_in_required` (the shell lost the session, another database has users): ask again. */
function useSignInAgainWhenAsked(client: QueryClient) {
  useEffect(() => {
    const askAgain = (error: unknown) => {
      if (isApiError(error) && error.code === 'sign_in_required') void client.resetQueries({ queryKey: SESSION_KEY });
    };
    const offQueries = client.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && event.query.queryKey[0] !== SESSION_KEY[0]) askAgain(event.action.error);
    });
    const offMutations = client.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') askAgain(event.action.error);
    });
    return () => {
      offQueries();
      offMutations();
    };
  }, [client]);
}

export function SessionGate({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: SESSION_KEY, queryFn: sessionGet, staleTime: Infinity });
  useSignInAgainWhenAsked(client);
  const signOut = useMutation({
    mutationFn: sessionSignOut,
    onSuccess: () => {
      // Nothing the previous user saw stays in memory; the gate asks again.
      forgetAllButSession(client);
      return client.resetQueries({ queryKey: SESSION_KEY });
    },
    onError: (e) => notifyError(e, 'Signing out did not work'),
  });
  if (query.isPending) {
    return (
      <Center h="100vh" data-testid="session-loading">
        <Loader />
      </Center>
    );
  }
  if (query.isError && query.error.code === 'sign_in_required') return <SignInScreen />;
  const session = query.data ?? null;
  const allowed = new Set(session?.allowed ?? []);
  const value: Session = {
    session,
    error: query.isError ? query.error : null,
    can: (name) => allowed.has(name),
    signOut: () => signOut.mutate(),
    signingOut: signOut.isPending,
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** A screen for one use case (a form reached by its address): says so instead of offering what would be refused. */
export function RequireCan({ useCase, what, children }: { useCase: string; what: string; children: ReactNode }) {
  const { can, session } = useSession();
  if (can(useCase)) return <>{children}</>;
  return (
    <Notice color="gray" title="Not for your roles" testId="not-allowed">
      {session ? `${session.display_name || session.user} (${session.roles.join(', ')}) may not ${what}.` : `Nobody is signed in, so you may not ${what}.`}
    </Notice>
  );
}

//! The session's place in the query cache, shared by the session gate and the
//! sign-in screen (which the gate shows): neither imports the other for it.
import type { QueryClient } from '@tanstack/react-query';

export const SESSION_KEY = ['session'] as const;

/** Drops every cached answer except the session's (used when the user changes). */
export function forgetAllButSession(client: QueryClient) {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
}

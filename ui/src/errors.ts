//! Turning whatever a bridge call rejected with into an ApiError, and the
//! one error the UI makes itself: running outside the desktop app.
import type { ApiError } from './bindings';

export const NOT_IN_DESKTOP: ApiError = {
  code: 'not_in_desktop',
  message:
    'Partnerdesk is not running inside the desktop app, so it cannot reach a database. ' +
    'Start it with `npx tauri dev` (or the installed app); `npm run dev` alone only shows the screens.',
  field: null,
};

export function isApiError(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && typeof (e as ApiError).code === 'string' && typeof (e as ApiError).message === 'string';
}

/** Tauri rejects with the serialized error; anything else (a string, an Error) is wrapped. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return { code: e.code, message: e.message, field: e.field ?? null };
  if (e instanceof Error) return { code: 'ui', message: e.message, field: null };
  return { code: 'ui', message: String(e), field: null };
}

/** The message for `field`, when the error is about that field. */
export function fieldError(e: unknown, field: string): string | undefined {
  return isApiError(e) && e.field === field ? e.message : undefined;
}

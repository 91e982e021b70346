//! Timestamps as the core writes them (RFC 3339, UTC) shortened for tables:
//! "2026-11-24T02:25:56.214251012Z" → "2026-11-24 02:25:56 UTC". Dates stay as they are.
export function when(at: string | null | undefined): string {
  if (!at) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(at);
  if (!m) return at;
  return `${m[1]} ${m[2]}${m[3] === 'Z' || m[3] === '+00:00' ? ' UTC' : m[3] ? ` ${m[3]}` : ''}`;
}

//! What a run did, in plain words.
import type { RunOutcome } from '../../bindings';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function runMessage(period: string, r: RunOutcome): string {
  if (r.up_to_date) return `Up to date: nothing changed since the last run through ${period}.`;
  const parts: string[] = [];
  const first = r.periods[0];
  const last = r.periods[r.periods.length - 1];
  const span = first && last && first !== last ? ` (${first} to ${last})` : first ? ` (${first})` : '';
  parts.push(`${plural(r.periods.length, 'period', 'periods')} computed${span}`);
  parts.push(r.changed.length === 0 ? 'no line changed' : `lines changed in ${r.changed.join(', ')}`);
  if (r.adjustments > 0) parts.push(`${plural(r.adjustments, 'adjustment', 'adjustments')} booked for late data in closed periods`);
  if (r.pending_adjustments > 0) {
    parts.push(`${plural(r.pending_adjustments, 'adjustment waits', 'adjustments wait')} for an open period: run a later period to book ${r.pending_adjustments === 1 ? 'it' : 'them'}`);
  }
  const text = parts.join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

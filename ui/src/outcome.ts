//! The words for the outcome of a change that may need a second person.
import type { ChangeOutcome } from './bindings';

/** Applied: the core's message. Waiting: what will happen, then "waits for approval (request #N)". */
export function outcomeText(o: ChangeOutcome): string {
  if (o.state === 'awaiting_approval' && o.approval) {
    return `${o.approval.summary}: waits for approval (request #${o.approval.approval_id})`;
  }
  return o.message;
}

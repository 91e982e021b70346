//! Toasts for outcomes that belong to no form field.
import { notifications } from '@mantine/notifications';
import { toApiError } from './errors';

export function notifyError(error: unknown, title = 'That did not work') {
  notifications.show({ color: 'red', title, message: toApiError(error).message, autoClose: 8000 });
}

export function notifyDone(message: string) {
  notifications.show({ color: 'teal', message, autoClose: 3000 });
}

/** A change that was recorded but waits in the approvals queue. */
export function notifyWaiting(message: string) {
  notifications.show({ color: 'yellow', title: 'Waits for approval', message, autoClose: 8000 });
}

//! Queries and keys for e-mail: settings, templates, the outbox and a partner's log.
import { useQuery } from '@tanstack/react-query';
import { mailCommunicationLog, mailOutboxList, mailSmtpGet, mailTemplatesList } from '../../api';
import type { OutboxQuery, OutboxStatus } from '../../bindings';

export const mailKeys = {
  all: ['mail'] as const,
  smtp: ['mail', 'smtp'] as const,
  templates: ['mail', 'templates'] as const,
  outbox: (q: OutboxQuery) => ['mail', 'outbox', q] as const,
  log: (partnerId: string) => ['mail', 'log', partnerId] as const,
};

export const useSmtp = () => useQuery({ queryKey: mailKeys.smtp, queryFn: mailSmtpGet });
export const useTemplates = () => useQuery({ queryKey: mailKeys.templates, queryFn: mailTemplatesList });
export const useOutbox = (q: OutboxQuery) =>
  useQuery({ queryKey: mailKeys.outbox(q), queryFn: () => mailOutboxList(q), placeholderData: (prev) => prev });
export const useCommunicationLog = (partnerId: string) =>
  useQuery({ queryKey: mailKeys.log(partnerId), queryFn: () => mailCommunicationLog(partnerId) });

export const STATUS_COLOR: Record<OutboxStatus, string> = {
  queued: 'blue',
  sending: 'indigo',
  sent: 'teal',
  failed: 'red',
  cancelled: 'gray',
};

/** Something was queued (an announcement, a retry): the background sender goes now instead of within the minute. */
export const mailQueue = new EventTarget();
export const queuedSomething = () => mailQueue.dispatchEvent(new Event('queued'));

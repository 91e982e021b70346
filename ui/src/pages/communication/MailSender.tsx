//! While the app is open, due e-mail goes out in the background: every
//! minute and right after something is queued, when e-mail is set up and
//! the user may send. A batch that stops
//! (a refused login, no connection) is shown once, not every minute.
import { useEffect, useRef } from 'react';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { mailSendDue } from '../../api';
import { useSession } from '../../session';
import { mailKeys, mailQueue, useSmtp } from './mailQueries';

export const SEND_EVERY_MS = 60_000;

export function MailSender() {
  const { can } = useSession();
  const allowed = can('mail.send');
  const smtp = useSmtp();
  const configured = allowed && smtp.data?.configured === true;
  const client = useQueryClient();
  const lastStop = useRef<string | null>(null);
  useEffect(() => {
    if (!configured) return;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const o = await mailSendDue(200);
        if (o.sent + o.failed + o.retry_later > 0) await client.invalidateQueries({ queryKey: mailKeys.all });
        if (o.stopped && o.stopped !== lastStop.current) {
          notifications.show({ color: 'red', title: 'E-mail is not going out', message: o.stopped, autoClose: false });
        }
        lastStop.current = o.stopped;
      } catch {
        // Shown where the user acts (Send now); the next tick tries again.
      } finally {
        busy = false;
      }
    };
    void tick();
    const t = setInterval(() => void tick(), SEND_EVERY_MS);
    const now = () => void tick();
    mailQueue.addEventListener('queued', now);
    return () => {
      clearInterval(t);
      mailQueue.removeEventListener('queued', now);
    };
  }, [configured, client]);
  return null;
}

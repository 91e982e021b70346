//! The settings of a connection that most need a person's decision, as
//! fields with help text over the settings JSON (which stays editable for
//! everything else): an MT5 server's time zone, overlap and keep-alive; a
//! shop's authentication, paid statuses, referral meta key and overlap.
import { NativeSelect, NumberInput, SimpleGrid, TextInput } from '@mantine/core';
import type { ConnectionKind } from '../../bindings';

type Config = Record<string, unknown>;

const WOO_AUTH = [
  { value: 'auto', label: 'Automatic: Basic over https, OAuth 1.0a over http' },
  { value: 'basic', label: 'HTTP Basic (https only)' },
  { value: 'oauth1', label: 'OAuth 1.0a signatures (what plain http requires)' },
  { value: 'query_string', label: 'Keys in the query string (https; hosts that drop the Authorization header)' },
];

function text(config: Config, key: string, fallback: string): string {
  const v = config[key];
  return typeof v === 'string' ? v : fallback;
}

function number(config: Config, key: string, fallback: number): number | '' {
  const v = config[key];
  return typeof v === 'number' ? v : fallback;
}

/** Fields for `kind`'s settings; `onChange` gets the whole new settings object. */
export function ConnectionFields({ kind, config, onChange, testid }: {
  kind: ConnectionKind; config: Config; onChange: (next: Config) => void; testid: string;
}) {
  // A cleared number or meta key drops the setting (its default applies);
  // a cleared text stays empty while it is being typed.
  const set = (key: string, value: unknown, dropEmpty = true) => {
    const next = { ...config };
    if (value === null || value === undefined || (dropEmpty && value === '')) delete next[key];
    else next[key] = value;
    onChange(next);
  };
  const overlap = (
    <NumberInput
      label="Read again (hours)" min={0} max={24 * 90} value={number(config, 'overlap_hours', 24)}
      onChange={(v) => set('overlap_hours', typeof v === 'number' ? v : '')}
      description="Every run reads this many hours before where the last one stopped again: the platform books some records late. What was read before is not counted twice."
      data-testid={`${testid}-overlap`}
    />
  );
  if (kind === 'mt5') {
    return (
      <SimpleGrid cols={{ base: 1, sm: 3 }} data-testid={`${testid}-mt5`}>
        <TextInput
          label="Server time zone" value={text(config, 'server_timezone', 'UTC')}
          onChange={(e) => set('server_timezone', e.currentTarget.value, false)}
          description="MT5 writes deal and account times in the trade server's clock. An IANA name keeps daylight saving right (EET, Europe/Athens, America/New_York), or UTC, or an offset such as +02:00."
          data-testid={`${testid}-timezone`}
        />
        {overlap}
        <NumberInput
          label="Keep-alive (seconds)" min={0} max={3600} value={number(config, 'keepalive_seconds', 20)}
          onChange={(v) => set('keepalive_seconds', typeof v === 'number' ? v : '')}
          description="The MT5 session belongs to one connection; while the sync is busy elsewhere a ping keeps it open after this many idle seconds (0: none)."
          data-testid={`${testid}-keepalive`}
        />
      </SimpleGrid>
    );
  }
  if (kind === 'woocommerce') {
    const paid = Array.isArray(config.paid_statuses) ? (config.paid_statuses as string[]).join(', ') : 'processing, completed';
    return (
      <SimpleGrid cols={{ base: 1, sm: 2 }} data-testid={`${testid}-woo`}>
        <NativeSelect
          label="Authentication" data={WOO_AUTH} value={text(config, 'auth', 'auto')}
          onChange={(e) => set('auth', e.currentTarget.value)}
          description="How the consumer key and secret are sent. WooCommerce takes HTTP Basic over https only; over plain http it requires OAuth 1.0a."
          data-testid={`${testid}-auth`}
        />
        <TextInput
          label="Paid statuses" value={paid}
          onChange={(e) => set('paid_statuses', e.currentTarget.value.split(',').map((s) => s.trim()).filter((s) => s !== ''))}
          description="Order statuses that are purchases, comma-separated. Pending, on-hold and failed orders earn nothing; a purchase later cancelled or refunded is a refund."
          data-testid={`${testid}-paid`}
        />
        <TextInput
          label="Referral meta key" value={text(config, 'referral_meta_key', '')} placeholder="e.g. _referral_code"
          onChange={(e) => set('referral_meta_key', e.currentTarget.value.trim())}
          description="The order meta field where the shop's referral or affiliate plugin keeps the code; it becomes the customer's tracking code. Empty: the order's coupon."
          data-testid={`${testid}-meta`}
        />
        {overlap}
      </SimpleGrid>
    );
  }
  return null;
}

//! The fixed vocabularies of the forms, in the core's words (values) and the
//! users' words (labels).

export type Option = { value: string; label: string };

export const PARTNER_KINDS: Option[] = [
  { value: 'affiliate', label: 'Affiliate' },
  { value: 'ib', label: 'Introducing broker (IB)' },
  { value: 'referral', label: 'Referral partner' },
  { value: 'media_buyer', label: 'Media buyer' },
  { value: 'influencer', label: 'Influencer / streamer' },
  { value: 'strategic', label: 'Strategic partner' },
];

export const PARTNER_STATUSES: Option[] = [
  { value: 'applied', label: 'Applied' },
  { value: 'pending_review', label: 'Pending review' },
  { value: 'active', label: 'Active' },
  { value: 'suspended', label: 'Suspended' },
  { value: 'terminated', label: 'Terminated' },
];

export const TRACKING_KINDS: Option[] = [
  { value: 'btag', label: 'btag (iGaming)' },
  { value: 'agent', label: 'Agent account (Forex)' },
  { value: 'referral', label: 'Referral code' },
  { value: 'coupon', label: 'Coupon (prop)' },
];

export const VERTICALS: Option[] = [
  { value: 'igaming', label: 'iGaming' },
  { value: 'forex', label: 'Forex' },
  { value: 'prop', label: 'Prop trading' },
];

export function labelOf(options: Option[], value: string): string {
  return options.find((o) => o.value === value)?.label ?? value;
}

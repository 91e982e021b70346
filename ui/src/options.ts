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

export const CUSTOMER_STATUSES: Option[] = [
  { value: 'active', label: 'Active' },
  { value: 'excluded', label: 'Excluded (earns nobody)' },
];

/** Plan component types, in the order of RULES.md. */
export const COMPONENT_TYPES: Option[] = [
  { value: 'revshare', label: 'RevShare' },
  { value: 'cpa', label: 'CPA' },
  { value: 'lot_rebate', label: 'Lot rebate' },
  { value: 'spread_share', label: 'Spread share' },
  { value: 'purchase_share', label: 'Purchase share' },
  { value: 'sub_override', label: 'Sub-partner override' },
];

/** Commission line kinds: the components, plus late data booked into an open period. */
export const LINE_KINDS: Option[] = [...COMPONENT_TYPES, { value: 'adjustment', label: 'Adjustment' }];

export function labelOf(options: Option[], value: string): string {
  return options.find((o) => o.value === value)?.label ?? value;
}

//! The fixed vocabularies of the forms, in the core's words (values) and the
//! users' words (labels). Where the core has the vocabulary as an enum, the
//! values are its generated union (./bindings): a misspelt value is a type
//! error, and `satisfies` below makes a word missing from a list one too.

import type {
  ConnectionKind, CustomerStatus, DocumentType, PartnerKind, PartnerStatus, PaymentMethod, TrackingKind, TrafficSourceKind, Vertical,
} from './bindings';

export type Option<V extends string = string> = { value: V; label: string };

/** Every word of a union listed once: a list missing one does not type-check. */
type Complete<V extends string, L extends readonly Option<V>[]> = Exclude<V, L[number]['value']> extends never ? L : never;

export const PARTNER_KINDS = [
  { value: 'affiliate', label: 'Affiliate' },
  { value: 'ib', label: 'Introducing broker (IB)' },
  { value: 'referral', label: 'Referral partner' },
  { value: 'media_buyer', label: 'Media buyer' },
  { value: 'influencer', label: 'Influencer / streamer' },
  { value: 'strategic', label: 'Strategic partner' },
] as const satisfies readonly Option<PartnerKind>[];
const _kinds: Complete<PartnerKind, typeof PARTNER_KINDS> = PARTNER_KINDS;

export const PARTNER_STATUSES = [
  { value: 'applied', label: 'Applied' },
  { value: 'pending_review', label: 'Pending review' },
  { value: 'active', label: 'Active' },
  { value: 'suspended', label: 'Suspended' },
  { value: 'terminated', label: 'Terminated' },
] as const satisfies readonly Option<PartnerStatus>[];
const _statuses: Complete<PartnerStatus, typeof PARTNER_STATUSES> = PARTNER_STATUSES;

export const TRACKING_KINDS = [
  { value: 'btag', label: 'btag (iGaming)' },
  { value: 'agent', label: 'Agent account (Forex)' },
  { value: 'referral', label: 'Referral code' },
  { value: 'coupon', label: 'Coupon (prop)' },
] as const satisfies readonly Option<TrackingKind>[];
const _tracking: Complete<TrackingKind, typeof TRACKING_KINDS> = TRACKING_KINDS;

export const VERTICALS = [
  { value: 'igaming', label: 'iGaming' },
  { value: 'forex', label: 'Forex' },
  { value: 'prop', label: 'Prop trading' },
] as const satisfies readonly Option<Vertical>[];
const _verticals: Complete<Vertical, typeof VERTICALS> = VERTICALS;

export const CUSTOMER_STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'excluded', label: 'Excluded (earns nobody)' },
] as const satisfies readonly Option<CustomerStatus>[];
const _customers: Complete<CustomerStatus, typeof CUSTOMER_STATUSES> = CUSTOMER_STATUSES;

export const DOC_TYPES = [
  { value: 'id', label: 'ID document' },
  { value: 'company_registration', label: 'Company registration' },
  { value: 'proof_of_address', label: 'Proof of address' },
] as const satisfies readonly Option<DocumentType>[];
const _docs: Complete<DocumentType, typeof DOC_TYPES> = DOC_TYPES;

export const TRAFFIC_SOURCE_KINDS = [
  { value: 'website', label: 'Website' },
  { value: 'social', label: 'Social account' },
  { value: 'paid', label: 'Paid channel' },
  { value: 'email', label: 'E-mail' },
  { value: 'other', label: 'Other' },
] as const satisfies readonly Option<TrafficSourceKind>[];
const _traffic: Complete<TrafficSourceKind, typeof TRAFFIC_SOURCE_KINDS> = TRAFFIC_SOURCE_KINDS;

export const CONNECTION_KINDS = [
  { value: 'mt5', label: 'MT5 Web API (Forex)' },
  { value: 'gaming', label: 'Gaming platform feed (iGaming)' },
  { value: 'woocommerce', label: 'WooCommerce orders (prop challenges)' },
  { value: 'csv', label: 'Import folder (CSV)' },
] as const satisfies readonly Option<ConnectionKind>[];
const _connections: Complete<ConnectionKind, typeof CONNECTION_KINDS> = CONNECTION_KINDS;

export const PAYMENT_METHODS = [
  { value: 'bank_transfer', label: 'Bank transfer' },
  { value: 'e_wallet', label: 'E-wallet' },
  { value: 'crypto', label: 'Crypto' },
] as const satisfies readonly Option<PaymentMethod>[];
const _methods: Complete<PaymentMethod, typeof PAYMENT_METHODS> = PAYMENT_METHODS;

/** The option of `value` in `options`, if it is one of theirs (a select's value is text). */
export function optionOf<V extends string>(options: readonly Option<V>[], value: string): V | undefined {
  return options.find((o) => o.value === value)?.value;
}

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

export function labelOf(options: readonly Option[], value: string): string {
  return options.find((o) => o.value === value)?.label ?? value;
}

// The completeness checks above are types only.
void [_kinds, _statuses, _tracking, _verticals, _customers, _docs, _traffic, _connections, _methods];

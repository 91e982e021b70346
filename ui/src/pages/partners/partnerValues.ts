//! The partner form's values (every input a string) and their conversion to
//! and from the wire types. Checking them is the core's job.
import type { PartnerDetail, PartnerInput } from '../../bindings';

export type PartnerValues = {
  partner_id: string;
  name: string;
  kind: string;
  parent_id: string;
  email: string;
  country: string;
  currency: string;
  status: string;
  tags: string[];
  notes: string;
  contact_name: string;
  phone: string;
};

export const PARTNER_FIELDS = [
  'partner_id', 'name', 'kind', 'parent_id', 'email', 'country', 'currency', 'status', 'tags', 'notes', 'contact_name', 'phone',
] as const;

export function emptyValues(parentId = ''): PartnerValues {
  return {
    partner_id: '', name: '', kind: 'affiliate', parent_id: parentId, email: '', country: '', currency: 'EUR',
    status: 'applied', tags: [], notes: '', contact_name: '', phone: '',
  };
}

export function valuesOf(d: PartnerDetail): PartnerValues {
  const p = d.partner;
  return {
    partner_id: p.partner_id, name: p.name, kind: p.kind, parent_id: p.parent_id ?? '', email: p.email ?? '',
    country: p.country ?? '', currency: p.currency, status: p.status, tags: p.tags, notes: d.notes,
    contact_name: d.contact_name ?? '', phone: d.phone ?? '',
  };
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** `rowVersion`: the version of the partner the form was opened at (an edit), so a
 * partner changed since is refused instead of overwritten; null for a new one. */
export function toInput(v: PartnerValues, rowVersion: number | null = null): PartnerInput {
  return {
    partner_id: v.partner_id.trim(),
    name: v.name.trim(),
    kind: v.kind,
    parent_id: orNull(v.parent_id),
    email: orNull(v.email),
    country: orNull(v.country),
    currency: v.currency.trim(),
    status: v.status,
    tags: v.tags,
    notes: v.notes,
    contact_name: orNull(v.contact_name),
    phone: orNull(v.phone),
    row_version: rowVersion,
  };
}

//! The left navigation: one entry per capability, in the order users work.
//! `planned` entries are not built yet and say what they will do.

/** `requires`: the use case (crates/app/src/access.rs) without which the entry is hidden. */
export type NavEntry = { key: string; label: string; path: string; planned?: string; also?: string[]; requires?: string };

export const NAV: NavEntry[] = [
  { key: 'dashboard', label: 'Dashboard', path: '/' },
  { key: 'partners', label: 'Partners', path: '/partners', also: ['/new-partner'] },
  { key: 'deals', label: 'Deals', path: '/deals', also: ['/new-plan'] },
  { key: 'customers', label: 'Customers', path: '/customers' },
  { key: 'reports', label: 'Reports', path: '/reports' },
  { key: 'commissions', label: 'Commissions', path: '/commissions' },
  { key: 'payouts', label: 'Payouts', path: '/payouts' },
  { key: 'compliance', label: 'Compliance', path: '/compliance', requires: 'approvals.list' },
  { key: 'communication', label: 'Communication', path: '/communication' },
  { key: 'settings', label: 'Settings', path: '/settings' },
];

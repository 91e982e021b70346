//! Query keys and the small read hooks shared by several screens. Writes
//! invalidate by prefix: everything about partners sits under ['partners'].
import { useQuery } from '@tanstack/react-query';
import * as api from './api';

export const keys = {
  appInfo: ['app_info'] as const,
  brands: ['brands'] as const,
  partners: ['partners'] as const,
  partner: (id: string) => ['partners', 'get', id] as const,
  tree: (id: string, depth: number) => ['partners', 'tree', id, depth] as const,
  plans: ['plans'] as const,
  plan: (id: string) => ['plans', 'get', id] as const,
  assignments: (partnerId: string) => ['plans', 'assignments', partnerId] as const,
  customers: ['customers'] as const,
  customer: (id: string) => ['customers', 'get', id] as const,
  /** Everything computed from a run: periods, totals, lines, details. */
  commissions: ['commissions'] as const,
  periods: ['commissions', 'periods'] as const,
  totals: (period: string) => ['commissions', 'totals', period] as const,
};

export const useAppInfo = () => useQuery({ queryKey: keys.appInfo, queryFn: api.appInfo });
export const useBrands = () => useQuery({ queryKey: keys.brands, queryFn: api.brandsList });
export const usePartner = (id: string) => useQuery({ queryKey: keys.partner(id), queryFn: () => api.partnersGet(id) });
export const useSubtree = (id: string, depth: number) =>
  useQuery({ queryKey: keys.tree(id, depth), queryFn: () => api.partnersTree(id, depth) });
export const usePlans = () => useQuery({ queryKey: keys.plans, queryFn: api.plansList });
export const usePlan = (id: string) => useQuery({ queryKey: keys.plan(id), queryFn: () => api.plansGet(id) });
export const useAssignments = (partnerId: string) =>
  useQuery({ queryKey: keys.assignments(partnerId), queryFn: () => api.assignmentsOf(partnerId) });
export const useCustomer = (id: string) => useQuery({ queryKey: keys.customer(id), queryFn: () => api.customersGet(id) });
export const usePeriods = () => useQuery({ queryKey: keys.periods, queryFn: api.periodsList });
export const useTotals = (period: string | null) =>
  useQuery({ queryKey: keys.totals(period ?? ''), queryFn: () => api.commissionsTotals(period!), enabled: Boolean(period) });

// Every bridge call rejects with an ApiError (api.ts guarantees it).
declare module '@tanstack/react-query' {
  interface Register {
    defaultError: import('./bindings').ApiError;
  }
}

/** Tracking links (issue 29): settings, brands' landings, a partner's links with clicks. */
export const trackingKeys = {
  all: ['tracking'] as const,
  settings: ['tracking', 'settings'] as const,
  partnerLinksOf: (partnerId: string) => ['tracking', 'partner-links', partnerId] as const,
  partnerLinks: (partnerId: string, from: string, to: string) => ['tracking', 'partner-links', partnerId, from, to] as const,
  landing: (brandId: string) => ['tracking', 'landing', brandId] as const,
};
export const useTrackingSettings = () => useQuery({ queryKey: trackingKeys.settings, queryFn: api.trackingSettingsGet });

/** Postbacks (issue 29): a partner's URLs and outbox, brands' postbacks in, fraud flags. */
export const postbackKeys = {
  all: ['postbacks'] as const,
  urls: (partnerId: string) => ['postbacks', 'urls', partnerId] as const,
  logOf: (partnerId: string) => ['postbacks', 'log', partnerId] as const,
  settings: (brandId: string) => ['postbacks', 'settings', brandId] as const,
};
export const fraudKeys = {
  all: ['fraud'] as const,
  flags: (state: string, kind: string) => ['fraud', 'flags', state, kind] as const,
};

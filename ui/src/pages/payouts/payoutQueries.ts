//! Query keys and reads of the Payouts page and the partner Balance section.
//! Everything about money owed sits under ['ledger'] and ['payouts'], so a
//! change (a run exported, an adjustment approved) refreshes both.
import { useQuery } from '@tanstack/react-query';
import * as api from '../../api';
import type { RunState } from '../../bindings';

export const payoutKeys = {
  payouts: ['payouts'] as const,
  runs: ['payouts', 'runs'] as const,
  run: (id: number) => ['payouts', 'run', id] as const,
  thresholds: ['payouts', 'thresholds'] as const,
  operator: ['payouts', 'operator'] as const,
  details: (partnerId: string) => ['payouts', 'details', partnerId] as const,
  detailsPending: (partnerId: string) => ['payouts', 'details', partnerId, 'pending'] as const,
  partnerPayout: (partnerId: string) => ['payouts', 'partner', partnerId] as const,
  ledger: ['ledger'] as const,
  entries: (partnerId: string) => ['ledger', 'entries', partnerId] as const,
  balances: (at: string) => ['ledger', 'balances', at] as const,
  pendingApprovals: ['approvals', 'pending'] as const,
};

export const usePayoutRuns = () => useQuery({ queryKey: payoutKeys.runs, queryFn: api.payoutRuns });
export const usePayoutRun = (id: number | null) =>
  useQuery({ queryKey: payoutKeys.run(id ?? 0), queryFn: () => api.payoutRunGet(id!), enabled: id !== null });
export const useThresholds = () => useQuery({ queryKey: payoutKeys.thresholds, queryFn: api.payoutThresholds });
export const useOperatorAccount = () => useQuery({ queryKey: payoutKeys.operator, queryFn: api.operatorAccountGet });
export const usePaymentDetails = (partnerId: string) =>
  useQuery({ queryKey: payoutKeys.details(partnerId), queryFn: () => api.paymentDetailsGet(partnerId) });
export const usePendingPaymentDetails = (partnerId: string) =>
  useQuery({ queryKey: payoutKeys.detailsPending(partnerId), queryFn: () => api.paymentDetailsPending(partnerId) });
export const usePartnerPayout = (partnerId: string) =>
  useQuery({ queryKey: payoutKeys.partnerPayout(partnerId), queryFn: () => api.partnerPayoutGet(partnerId) });
export const useLedgerEntries = (partnerId: string) =>
  useQuery({ queryKey: payoutKeys.entries(partnerId), queryFn: () => api.ledgerEntries(partnerId) });
export const useBalances = (at: string) =>
  useQuery({ queryKey: payoutKeys.balances(at), queryFn: () => api.ledgerBalances(at || null) });
/** The pending requests of the approvals queue (for "1 of 2 approvals" on a submitted run). */
export const usePendingApprovals = (enabled: boolean) =>
  useQuery({ queryKey: payoutKeys.pendingApprovals, queryFn: () => api.approvalsList('pending'), enabled });

export const RUN_STATE_COLORS: Record<RunState, string> = {
  draft: 'gray', submitted: 'yellow', approved: 'teal', exported: 'blue', paid: 'green', failed: 'red', cancelled: 'dark',
};


/** A file-system-safe stamp of now, for default folder names: 2026-11-24-1305. */
export function stamp(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
}

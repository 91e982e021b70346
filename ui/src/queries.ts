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
};

export const useAppInfo = () => useQuery({ queryKey: keys.appInfo, queryFn: api.appInfo });
export const useBrands = () => useQuery({ queryKey: keys.brands, queryFn: api.brandsList });
export const usePartner = (id: string) => useQuery({ queryKey: keys.partner(id), queryFn: () => api.partnersGet(id) });
export const useSubtree = (id: string, depth: number) =>
  useQuery({ queryKey: keys.tree(id, depth), queryFn: () => api.partnersTree(id, depth) });

// Every bridge call rejects with an ApiError (api.ts guarantees it).
declare module '@tanstack/react-query' {
  interface Register {
    defaultError: import('./bindings/ApiError').ApiError;
  }
}

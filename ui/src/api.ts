//! The one bridge to the Rust core: every command the UI calls, typed with
//! the generated bindings. Tests mock this module, never Tauri itself.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AppInfo } from './bindings/AppInfo';
import type { BrandView } from './bindings/BrandView';
import type { DatabaseInfo } from './bindings/DatabaseInfo';
import type { PartnerDetail } from './bindings/PartnerDetail';
import type { PartnerInput } from './bindings/PartnerInput';
import type { PartnerPage } from './bindings/PartnerPage';
import type { PartnerQuery } from './bindings/PartnerQuery';
import type { PartnerRow } from './bindings/PartnerRow';
import type { ProgressEvent } from './bindings/ProgressEvent';
import type { SubtreeRow } from './bindings/SubtreeRow';
import type { TrackingCodeView } from './bindings/TrackingCodeView';
import { NOT_IN_DESKTOP, toApiError } from './errors';

/** True inside the Tauri webview; false in a plain browser (`npm run dev`). */
export function inDesktop(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!inDesktop()) throw NOT_IN_DESKTOP;
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export const appInfo = () => call<AppInfo>('app_info');

export const brandsList = () => call<BrandView[]>('brands_list');
export const brandsCreate = (input: BrandView) => call<BrandView>('brands_create', { input });

export const partnersSearch = (query: PartnerQuery) => call<PartnerPage>('partners_search', { query });
export const partnersGet = (partnerId: string) => call<PartnerDetail>('partners_get', { partnerId });
export const partnersTree = (partnerId: string, maxDepth: number) =>
  call<SubtreeRow[]>('partners_tree', { partnerId, maxDepth });
export const partnersCreate = (input: PartnerInput) => call<PartnerRow>('partners_create', { input });
export const partnersEdit = (partnerId: string, input: PartnerInput) =>
  call<PartnerRow>('partners_edit', { partnerId, input });
export const partnersMove = (partnerId: string, newParentId: string | null) =>
  call<PartnerRow>('partners_move', { partnerId, newParentId });
export const partnersArchive = (partnerId: string, archived: boolean) =>
  call<PartnerRow>('partners_archive', { partnerId, archived });

export const trackingCodesAdd = (input: TrackingCodeView) => call<TrackingCodeView>('tracking_codes_add', { input });

/** `url` is a PostgreSQL URL (password allowed) or "default" for the embedded database. */
export const settingsSetDatabase = (url: string) => call<DatabaseInfo>('settings_set_database', { url });

/** Listens to the core's `progress` events; resolves to the unlisten function. */
export async function onProgress(handler: (event: ProgressEvent) => void): Promise<() => void> {
  if (!inDesktop()) return () => {};
  return listen<ProgressEvent>('progress', (e) => handler(e.payload));
}

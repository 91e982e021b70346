// The generated command contract inside the desktop app (Tauri's invoke
// mocked): api.ts calls the command Rust registered, by its name, with its
// arguments by name, and whatever a command rejects with arrives as an ApiError.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));

import { invoke } from '@tauri-apps/api/core';
import * as api from '../api';
import { commands } from '../bindings';

type TauriWindow = Window & { __TAURI_INTERNALS__?: unknown };

describe('the generated command contract', () => {
  beforeEach(() => {
    (window as TauriWindow).__TAURI_INTERNALS__ = {};
  });
  afterEach(() => {
    delete (window as TauriWindow).__TAURI_INTERNALS__;
    vi.mocked(invoke).mockReset();
  });

  it('calls the Rust command by its name, with its arguments named as Tauri expects them', async () => {
    vi.mocked(invoke).mockResolvedValue({ total: 0, rows: [] });
    await api.partnersMove('P-2', null);
    expect(invoke).toHaveBeenCalledWith('partners_move', { partnerId: 'P-2', newParentId: null });
    await api.exportRun(3, 'xlsx');
    expect(invoke).toHaveBeenLastCalledWith('export_run', { runId: 3, format: 'xlsx' });
    await api.appInfo();
    expect(invoke).toHaveBeenLastCalledWith('app_info');
  });

  it('resolves to what the command returned', async () => {
    vi.mocked(invoke).mockResolvedValue('10000');
    await expect(api.approvalsThresholdGet()).resolves.toBe('10000');
  });

  it('turns a command error into an ApiError, and anything else into one with code ui', async () => {
    vi.mocked(invoke).mockRejectedValue({ code: 'not_found', message: 'no partner P-9', field: null });
    await expect(api.partnersGet('P-9')).rejects.toEqual({ code: 'not_found', message: 'no partner P-9', field: null });
    // Tauri itself rejects with a string (an argument that does not deserialize, say).
    vi.mocked(invoke).mockRejectedValue('invalid args `runId` for command `payout_run_get`');
    await expect(api.payoutRunGet(1)).rejects.toMatchObject({ code: 'ui', field: null });
  });

  it('makes a misspelt command, a missing argument or a misspelt field a type error', () => {
    // Checked by tsc (`npm run build`, `npx tsc --noEmit`): each line below must
    // stay an error, or tsc fails on the unused @ts-expect-error. Never run.
    const neverRun = () => {
      // @ts-expect-error: there is no command partnersGett
      void commands.partnersGett('P-1');
      // @ts-expect-error: partners_tree takes a partner id and a depth
      void api.partnersTree('P-1');
      void api.partnersSearch({ text: 'x', kind: null, status: null, parent_id: null, tag: null, include_archived: false, sort: 'name', desc: false, offset: 0, limit: 50 });
      // @ts-expect-error: a partner query has `text`, not `txt` (the same query misspelt)
      void api.partnersSearch({ txt: 'x', kind: null, status: null, parent_id: null, tag: null, include_archived: false, sort: 'name', desc: false, offset: 0, limit: 50 });
      // @ts-expect-error: exports are csv or xlsx
      void api.exportLines('2026-07', 'pdf');
    };
    expect(typeof neverRun).toBe('function');
  });
});

// The real api and error helpers, outside the desktop app (jsdom has no Tauri).
import { describe, expect, it } from 'vitest';
import { appInfo, inDesktop } from '../api';
import { fieldError, toApiError } from '../errors';
import { formatMoney } from '../money';

describe('bridge outside the desktop app', () => {
  it('rejects with a clear not_in_desktop error instead of crashing', async () => {
    expect(inDesktop()).toBe(false);
    await expect(appInfo()).rejects.toMatchObject({ code: 'not_in_desktop', field: null });
  });

  it('turns anything rejected into an ApiError', () => {
    expect(toApiError('boom')).toEqual({ code: 'ui', message: 'boom', field: null });
    expect(toApiError({ code: 'invalid', message: 'm', field: 'email' })).toEqual({ code: 'invalid', message: 'm', field: 'email' });
    expect(fieldError({ code: 'invalid', message: 'm', field: 'email' }, 'email')).toBe('m');
    expect(fieldError({ code: 'invalid', message: 'm', field: 'email' }, 'name')).toBeUndefined();
  });
});

describe('money display', () => {
  it('groups thousands by text only, keeping every decimal digit', () => {
    expect(formatMoney('1234567.505')).toBe('1,234,567.505');
    expect(formatMoney('-1000')).toBe('-1,000');
    expect(formatMoney('999.10')).toBe('999.10');
    expect(formatMoney('12345678901234567890.01')).toBe('12,345,678,901,234,567,890.01'); // beyond float precision
    expect(formatMoney('n/a')).toBe('n/a');
  });
});

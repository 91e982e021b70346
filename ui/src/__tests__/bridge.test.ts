// The real api and error helpers, outside the desktop app (jsdom has no Tauri).
import { describe, expect, it } from 'vitest';
import { appInfo, inDesktop } from '../api';
import { fieldError, toApiError } from '../errors';
import { asPercent, compareDecimals, formatMoney } from '../money';

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

describe('decimal text helpers', () => {
  it('orders decimal texts exactly, beyond float precision', () => {
    expect(compareDecimals('10.5', '9.99')).toBe(1);
    expect(compareDecimals('-1', '0.01')).toBe(-1);
    expect(compareDecimals('-2.5', '-2.4')).toBe(-1);
    expect(compareDecimals('0.10', '0.1')).toBe(0);
    expect(compareDecimals('-0.00', '0')).toBe(0);
    expect(compareDecimals('12345678901234567890.01', '12345678901234567890.02')).toBe(-1);
  });

  it('writes a rate as a percentage by moving the decimal point', () => {
    expect(asPercent('0.25')).toBe('25%');
    expect(asPercent('0.025')).toBe('2.5%');
    expect(asPercent('1')).toBe('100%');
    expect(asPercent('0.3')).toBe('30%');
    expect(asPercent('0.1234567')).toBe('12.34567%');
    expect(asPercent('x')).toBe('x');
  });
});

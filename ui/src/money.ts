//! Money crosses the bridge as a decimal string and stays one: it is only
//! ever re-spelled for display, never turned into a float.

/** "1234567.50" → "1,234,567.50"; anything that is not a plain decimal is shown as given. */
export function formatMoney(amount: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(amount.trim());
  if (!m) return amount;
  const [, sign, whole = '', fraction = ''] = m;
  return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + fraction;
}

/** The shape of a plan's decimal (rates, amounts): digits, an optional fraction; no sign, no exponent. */
export const DECIMAL_SHAPE = /^\d+(\.\d+)?$/;

function parts(amount: string): { negative: boolean; whole: string; fraction: string } | null {
  const m = /^([-+]?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return null;
  const whole = (m[2] ?? '').replace(/^0+(?=\d)/, '');
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const zero = /^0*$/.test(whole) && fraction === '';
  return { negative: m[1] === '-' && !zero, whole, fraction };
}

/** Compares the magnitudes of two non-negative decimal texts digit by digit. */
function compareMagnitude(a: { whole: string; fraction: string }, b: { whole: string; fraction: string }): number {
  if (a.whole.length !== b.whole.length) return a.whole.length < b.whole.length ? -1 : 1;
  if (a.whole !== b.whole) return a.whole < b.whole ? -1 : 1;
  const n = Math.max(a.fraction.length, b.fraction.length);
  const fa = a.fraction.padEnd(n, '0');
  const fb = b.fraction.padEnd(n, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** Exact order of two decimal texts (-1, 0, 1), without turning them into floats. Unparsable text sorts first. */
export function compareDecimals(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  if (pa.negative !== pb.negative) return pa.negative ? -1 : 1;
  const m = compareMagnitude(pa, pb);
  return pa.negative ? -m : m;
}

/** "-12.50" → "12.50": the magnitude, by text. */
export function absDecimal(amount: string): string {
  return amount.trim().replace(/^[-+]/, '');
}

export function isNegative(amount: string): boolean {
  return parts(amount)?.negative ?? false;
}

/** A rate as a percentage by moving the decimal point: "0.25" → "25%", "0.025" → "2.5%". */
export function asPercent(rate: string): string {
  const p = parts(rate);
  if (!p) return rate;
  const fraction = p.fraction.padEnd(2, '0');
  const whole = (p.whole + fraction.slice(0, 2)).replace(/^0+(?=\d)/, '');
  const rest = fraction.slice(2).replace(/0+$/, '');
  return `${p.negative ? '-' : ''}${whole}${rest ? '.' + rest : ''}%`;
}

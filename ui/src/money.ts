//! Money crosses the bridge as a decimal string and stays one: it is only
//! ever re-spelled for display, never turned into a float.

/** "1234567.50" → "1,234,567.50"; anything that is not a plain decimal is shown as given. */
export function formatMoney(amount: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(amount.trim());
  if (!m) return amount;
  const [, sign, whole = '', fraction = ''] = m;
  return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + fraction;
}

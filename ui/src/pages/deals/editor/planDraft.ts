//! The plan editor's values (every input a string, decimals included) and
//! their translation to the plans.json object. Decimals stay text end to end;
//! only the whole numbers of RULES.md (window_days, cap_per_period,
//! min_hold_seconds) become JSON numbers. Empty optional inputs are left out.

export type Pair = { key: string; value: string };
export type Tier = { from: string; rate: string };

export type RevshareDraft = {
  type: 'revshare';
  rate: string;
  useTiers: boolean;
  tiers: Tier[];
  tier_metric: 'ftds' | 'ngr';
  tier_mode: 'flat' | 'progressive';
  admin_fee_rate: string;
  payment_fee_rate: string;
  negative_carryover: boolean;
};
export type CpaDraft = {
  type: 'cpa';
  amount: string;
  geo_amounts: Pair[];
  min_deposits: string;
  min_bets: string;
  window_days: string;
  countries: string[];
  cap_per_period: string;
};
export type LotRebateDraft = {
  type: 'lot_rebate';
  rates: Pair[];
  min_hold_seconds: string;
  split: 'difference' | 'levels';
  level_shares: string[];
};
export type SpreadShareDraft = { type: 'spread_share'; rate: string };
export type PurchaseShareDraft = { type: 'purchase_share'; first_rate: string; repeat_rate: string; first_purchase_cpa: string };
export type SubOverrideDraft = { type: 'sub_override'; levels: string[] };

export type ComponentDraft = RevshareDraft | CpaDraft | LotRebateDraft | SpreadShareDraft | PurchaseShareDraft | SubOverrideDraft;
export type ComponentType = ComponentDraft['type'];
export type PlanDraft = { plan_id: string; name: string; components: ComponentDraft[] };

export const emptyPlan = (): PlanDraft => ({ plan_id: '', name: '', components: [] });

export function emptyComponent(type: ComponentType): ComponentDraft {
  switch (type) {
    case 'revshare':
      return {
        type, rate: '', useTiers: false, tiers: [{ from: '0', rate: '' }], tier_metric: 'ftds', tier_mode: 'flat',
        admin_fee_rate: '', payment_fee_rate: '', negative_carryover: false,
      };
    case 'cpa':
      return { type, amount: '', geo_amounts: [], min_deposits: '', min_bets: '', window_days: '', countries: [], cap_per_period: '' };
    case 'lot_rebate':
      return { type, rates: [{ key: '', value: '' }], min_hold_seconds: '', split: 'difference', level_shares: [] };
    case 'spread_share':
      return { type, rate: '' };
    case 'purchase_share':
      return { type, first_rate: '', repeat_rate: '', first_purchase_cpa: '' };
    case 'sub_override':
      return { type, levels: [''] };
  }
}

type Json = Record<string, unknown>;

/** A decimal goes out as the text typed (trimmed); empty means "not given". */
function putDecimal(o: Json, key: string, value: string) {
  const v = value.trim();
  if (v !== '') o[key] = v;
}

/** A whole number goes out as a JSON number; anything else as typed, so the core names the field. */
function putWhole(o: Json, key: string, value: string) {
  const v = value.trim();
  if (v === '') return;
  o[key] = /^\d{1,15}$/.test(v) ? Number.parseInt(v, 10) : v;
}

function pairsObject(pairs: Pair[], upperKeys: boolean): Json {
  const o: Json = {};
  for (const p of pairs) {
    const key = upperKeys ? p.key.trim().toUpperCase() : p.key.trim();
    if (key === '' && p.value.trim() === '') continue;
    o[key] = p.value.trim();
  }
  return o;
}

const decimals = (list: string[]) => list.map((s) => s.trim());

export function componentJson(c: ComponentDraft): Json {
  const o: Json = { type: c.type };
  switch (c.type) {
    case 'revshare':
      // With tiers the rate is ignored by the rules, but a rate written down is kept as written.
      putDecimal(o, 'rate', c.rate);
      if (c.useTiers) {
        o.tiers = c.tiers.map((t) => ({ from: t.from.trim(), rate: t.rate.trim() }));
        o.tier_metric = c.tier_metric;
        o.tier_mode = c.tier_mode;
      }
      putDecimal(o, 'admin_fee_rate', c.admin_fee_rate);
      putDecimal(o, 'payment_fee_rate', c.payment_fee_rate);
      o.negative_carryover = c.negative_carryover;
      break;
    case 'cpa': {
      putDecimal(o, 'amount', c.amount);
      const geo = pairsObject(c.geo_amounts, true);
      if (Object.keys(geo).length > 0) o.geo_amounts = geo;
      putDecimal(o, 'min_deposits', c.min_deposits);
      putDecimal(o, 'min_bets', c.min_bets);
      putWhole(o, 'window_days', c.window_days);
      const countries = c.countries.map((x) => x.trim().toUpperCase()).filter(Boolean);
      if (countries.length > 0) o.countries = countries;
      putWhole(o, 'cap_per_period', c.cap_per_period);
      break;
    }
    case 'lot_rebate':
      o.rates = pairsObject(c.rates, false);
      putWhole(o, 'min_hold_seconds', c.min_hold_seconds);
      o.split = c.split;
      if (c.level_shares.length > 0) o.level_shares = decimals(c.level_shares);
      break;
    case 'spread_share':
      putDecimal(o, 'rate', c.rate);
      break;
    case 'purchase_share':
      putDecimal(o, 'first_rate', c.first_rate);
      putDecimal(o, 'repeat_rate', c.repeat_rate);
      putDecimal(o, 'first_purchase_cpa', c.first_purchase_cpa);
      break;
    case 'sub_override':
      o.levels = decimals(c.levels);
      break;
  }
  return o;
}

/** The plans.json object the form describes. */
export function planJson(d: PlanDraft): Json {
  return { plan_id: d.plan_id.trim(), name: d.name.trim(), components: d.components.map(componentJson) };
}

export const planText = (d: PlanDraft) => JSON.stringify(planJson(d), null, 2);

//! Reading a plans.json object back into the editor's form. Anything the
//! form cannot show faithfully (an unknown field, a decimal written as a
//! number) is refused with the reason, and the plan stays in the JSON tab.
import { type ComponentDraft, type ComponentType, type Pair, type PlanDraft } from './planDraft';

class NotForm extends Error {}

const TYPES: ComponentType[] = ['revshare', 'cpa', 'lot_rebate', 'spread_share', 'purchase_share', 'sub_override'];

const FIELDS: Record<ComponentType, string[]> = {
  revshare: ['type', 'rate', 'admin_fee_rate', 'payment_fee_rate', 'negative_carryover', 'tier_metric', 'tier_mode', 'tiers'],
  cpa: ['type', 'amount', 'geo_amounts', 'min_deposits', 'min_bets', 'window_days', 'countries', 'cap_per_period'],
  lot_rebate: ['type', 'rates', 'min_hold_seconds', 'split', 'level_shares'],
  spread_share: ['type', 'rate'],
  purchase_share: ['type', 'first_rate', 'repeat_rate', 'first_purchase_cpa'],
  sub_override: ['type', 'levels'],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  // A decimal written as a JSON number may already have lost digits: never guess it.
  throw new NotForm(`${path} is not written as a string`);
}

function whole(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string') return v;
  throw new NotForm(`${path} is not a whole number`);
}

function list(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new NotForm(`${path} is not a list`);
  return v.map((x, i) => text(x, `${path}[${i}]`));
}

function pairs(v: unknown, path: string): Pair[] {
  if (v === undefined || v === null) return [];
  if (!isObj(v)) throw new NotForm(`${path} is not an object`);
  return Object.entries(v).map(([key, value]) => ({ key, value: text(value, `${path}.${key}`) }));
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], fallback: T, path: string): T {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new NotForm(`${path} must be one of ${allowed.join(', ')}`);
}

function component(c: unknown, path: string): ComponentDraft {
  if (!isObj(c)) throw new NotForm(`${path} is not an object`);
  const type = c.type as ComponentType;
  if (!TYPES.includes(type)) throw new NotForm(`${path}.type is not a known component type`);
  const unknown = Object.keys(c).find((k) => !FIELDS[type].includes(k));
  if (unknown) throw new NotForm(`${path}.${unknown} is not a known field`);
  const f = (k: string) => `${path}.${k}`;
  switch (type) {
    case 'revshare': {
      const tiers = c.tiers;
      if (tiers !== undefined && tiers !== null && !Array.isArray(tiers)) throw new NotForm(`${f('tiers')} is not a list`);
      const rows = (tiers ?? []).map((t, i) => {
        if (!isObj(t)) throw new NotForm(`${f('tiers')}[${i}] is not an object`);
        return { from: text(t.from, `${f('tiers')}[${i}].from`), rate: text(t.rate, `${f('tiers')}[${i}].rate`) };
      });
      if (typeof (c.negative_carryover ?? false) !== 'boolean') throw new NotForm(`${f('negative_carryover')} is not true or false`);
      return {
        type, rate: text(c.rate, f('rate')), useTiers: Array.isArray(tiers), tiers: Array.isArray(tiers) ? rows : [{ from: '0', rate: '' }],
        tier_metric: oneOf(c.tier_metric, ['ftds', 'ngr'] as const, 'ftds', f('tier_metric')),
        tier_mode: oneOf(c.tier_mode, ['flat', 'progressive'] as const, 'flat', f('tier_mode')),
        admin_fee_rate: text(c.admin_fee_rate, f('admin_fee_rate')), payment_fee_rate: text(c.payment_fee_rate, f('payment_fee_rate')),
        negative_carryover: c.negative_carryover === true,
      };
    }
    case 'cpa':
      return {
        type, amount: text(c.amount, f('amount')), geo_amounts: pairs(c.geo_amounts, f('geo_amounts')),
        min_deposits: text(c.min_deposits, f('min_deposits')), min_bets: text(c.min_bets, f('min_bets')),
        window_days: whole(c.window_days, f('window_days')), countries: list(c.countries, f('countries')),
        cap_per_period: whole(c.cap_per_period, f('cap_per_period')),
      };
    case 'lot_rebate':
      return {
        type, rates: pairs(c.rates, f('rates')), min_hold_seconds: whole(c.min_hold_seconds, f('min_hold_seconds')),
        split: oneOf(c.split, ['difference', 'levels'] as const, 'difference', f('split')),
        level_shares: list(c.level_shares, f('level_shares')),
      };
    case 'spread_share':
      return { type, rate: text(c.rate, f('rate')) };
    case 'purchase_share':
      return {
        type, first_rate: text(c.first_rate, f('first_rate')), repeat_rate: text(c.repeat_rate, f('repeat_rate')),
        first_purchase_cpa: text(c.first_purchase_cpa, f('first_purchase_cpa')),
      };
    case 'sub_override':
      return { type, levels: list(c.levels, f('levels')) };
  }
}

/** The form's values for a plan's JSON text, or why the form cannot show it. */
export function draftFromText(json: string): { draft: PlanDraft } | { reason: string } {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    return { reason: `The JSON does not parse: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    if (!isObj(v)) throw new NotForm('the plan is not a JSON object');
    const unknown = Object.keys(v).find((k) => !['plan_id', 'name', 'components'].includes(k));
    if (unknown) throw new NotForm(`${unknown} is not a known field`);
    const comps = v.components ?? [];
    if (!Array.isArray(comps)) throw new NotForm('components is not a list');
    return {
      draft: {
        plan_id: text(v.plan_id, 'plan_id'),
        name: text(v.name, 'name'),
        components: comps.map((c, i) => component(c, `components[${i}]`)),
      },
    };
  } catch (e) {
    if (e instanceof NotForm) return { reason: `The form cannot show this plan: ${e.message}. Edit it as JSON.` };
    throw e;
  }
}

import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import { draftFromText } from '../pages/deals/editor/planFromJson';
import { planJson } from '../pages/deals/editor/planDraft';
import { mockApiDefaults } from '../test/apiMock';
import { plan } from '../test/fixtures';
import { renderAt } from '../test/render';

vi.mock('../api');
// Typing into a large form in jsdom is slow; the default 5 s is too tight on a busy machine.
vi.setConfig({ testTimeout: 20_000 });

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

const field = (path: string) => screen.getByTestId(`plan-field-${path}`);
/** The plan object last sent to plans_save. */
const saved = () => JSON.parse(vi.mocked(api.plansSave).mock.calls.at(-1)![0]) as unknown;

async function startPlan(id: string, name: string) {
  renderAt('/new-plan');
  await userEvent.type(field('plan_id'), id);
  await userEvent.type(field('name'), name);
}

describe('plan editor', () => {
  it('builds a revshare with tiers, decimals as strings', async () => {
    vi.mocked(api.plansSave).mockResolvedValue(plan('casino'));
    await startPlan('casino', 'Casino 2026');
    await userEvent.click(screen.getByTestId('plan-add-revshare'));
    await userEvent.click(field('components[0].use_tiers'));
    await userEvent.type(field('components[0].tiers[0].rate'), '0.25');
    await userEvent.click(screen.getByTestId('plan-add-components[0].tiers'));
    await userEvent.type(field('components[0].tiers[1].from'), '10');
    await userEvent.type(field('components[0].tiers[1].rate'), '0.30');
    await userEvent.selectOptions(field('components[0].tier_mode'), 'progressive');
    await userEvent.type(field('components[0].admin_fee_rate'), '0.10');
    await userEvent.click(field('components[0].negative_carryover'));
    await userEvent.click(screen.getByTestId('plan-save'));
    await waitFor(() => expect(api.plansSave).toHaveBeenCalled());
    expect(saved()).toEqual({
      plan_id: 'casino',
      name: 'Casino 2026',
      components: [
        {
          type: 'revshare',
          tiers: [{ from: '0', rate: '0.25' }, { from: '10', rate: '0.30' }],
          tier_metric: 'ftds',
          tier_mode: 'progressive',
          admin_fee_rate: '0.10',
          negative_carryover: true,
        },
      ],
    });
  });

  it('builds a CPA with geo amounts; whole numbers as numbers, empty options left out', async () => {
    vi.mocked(api.plansSave).mockResolvedValue(plan('cpa-de'));
    await startPlan('cpa-de', 'CPA DACH');
    await userEvent.click(screen.getByTestId('plan-add-cpa'));
    await userEvent.type(field('components[0].amount'), '100');
    await userEvent.click(screen.getByTestId('plan-add-components[0].geo_amounts'));
    await userEvent.type(screen.getByTestId('plan-pair-components[0].geo_amounts[0]-key'), 'de');
    await userEvent.type(screen.getByTestId('plan-pair-components[0].geo_amounts[0]-value'), '150.50');
    await userEvent.type(field('components[0].min_deposits'), '50');
    await userEvent.type(field('components[0].window_days'), '30');
    await userEvent.type(field('components[0].cap_per_period'), '100');
    await userEvent.type(field('components[0].countries'), 'DE,AT,');
    await userEvent.click(screen.getByTestId('plan-save'));
    await waitFor(() => expect(api.plansSave).toHaveBeenCalled());
    expect(saved()).toEqual({
      plan_id: 'cpa-de',
      name: 'CPA DACH',
      components: [
        { type: 'cpa', amount: '100', geo_amounts: { DE: '150.50' }, min_deposits: '50', window_days: 30, countries: ['DE', 'AT'], cap_per_period: 100 },
      ],
    });
  });

  it('checks the plan as typed and shows the plain-language preview', async () => {
    vi.mocked(api.plansPreview).mockImplementation(async (json) =>
      JSON.parse(json).components.length > 0
        ? { ok: true, description: '25% of NGR, negative carry-over', field: null, error: null }
        : { ok: false, description: '', field: 'components', error: 'components: add at least one' },
    );
    await startPlan('rs', 'RevShare');
    await userEvent.click(screen.getByTestId('plan-add-revshare'));
    await userEvent.type(field('components[0].rate'), '0.25');
    expect(await screen.findByTestId('plan-preview')).toHaveTextContent('25% of NGR, negative carry-over');
    expect(screen.queryByTestId('plan-error')).not.toBeInTheDocument();
    // Debounced: the preview saw the finished rate, not every keystroke.
    const rates = vi.mocked(api.plansPreview).mock.calls.map(([j]) => JSON.parse(j).components[0]?.rate);
    expect(rates).toContain('0.25');
    expect(rates).not.toContain('0.2');
  });

  it('shows the problem the core names next to that field', async () => {
    vi.mocked(api.plansPreview).mockResolvedValue({
      ok: false, description: '', field: 'components[1].min_deposits', error: "components[1].min_deposits: '-5' is negative; it must be 0 or more",
    });
    await startPlan('h', 'Hybrid');
    await userEvent.click(screen.getByTestId('plan-add-revshare'));
    await userEvent.click(screen.getByTestId('plan-add-cpa'));
    await userEvent.type(field('components[1].min_deposits'), '-5');
    expect(await screen.findByTestId('plan-error-components[1].min_deposits')).toHaveTextContent('is negative');
    expect(screen.getByTestId('plan-error')).toHaveTextContent('is negative');
    expect(screen.queryByTestId('plan-error-components[1].amount')).not.toBeInTheDocument();
  });

  it('says when saving made a new version, and when nothing changed', async () => {
    // Version 1 before the first save; version 2 once it is saved.
    vi.mocked(api.plansList).mockResolvedValueOnce([plan('casino', { version: 1 })]).mockResolvedValue([plan('casino', { version: 2 })]);
    vi.mocked(api.plansGet).mockResolvedValue({ plan: plan('casino'), versions: [] });
    vi.mocked(api.plansSave).mockResolvedValue(plan('casino', { version: 2 }));
    renderAt('/deals/casino/edit');
    await userEvent.click(await screen.findByTestId('plan-add-spread_share'));
    await userEvent.type(field('components[0].rate'), '0.2');
    await userEvent.click(screen.getByTestId('plan-save'));
    expect(await screen.findByTestId('plan-saved')).toHaveTextContent('New version 2 of plan casino created');
    expect(field('plan_id')).toBeDisabled();

    await waitFor(() => expect(api.plansList).toHaveBeenCalledTimes(2));
    await userEvent.click(screen.getByTestId('plan-save'));
    await waitFor(() => expect(screen.getByTestId('plan-saved')).toHaveTextContent('Nothing changed: plan casino stays at version 2'));
  });

  it('edits the raw JSON and keeps the form in step', async () => {
    vi.mocked(api.plansSave).mockResolvedValue(plan('raw'));
    await startPlan('raw', 'Raw');
    await userEvent.click(screen.getByTestId('plan-tab-json'));
    const text = JSON.stringify({ plan_id: 'raw', name: 'Raw', components: [{ type: 'sub_override', levels: ['0.05', '0.02'] }] });
    fireEvent.change(screen.getByTestId('plan-json'), { target: { value: text } });
    await userEvent.click(screen.getByTestId('plan-tab-form'));
    expect(field('components[0].levels[1]')).toHaveValue('0.02');
    await userEvent.click(screen.getByTestId('plan-save'));
    await waitFor(() => expect(saved()).toEqual(JSON.parse(text)));
  });

  it('keeps a plan the form cannot show in the JSON tab', async () => {
    await startPlan('x', 'X');
    await userEvent.click(screen.getByTestId('plan-tab-json'));
    fireEvent.change(screen.getByTestId('plan-json'), { target: { value: '{"plan_id":"x","name":"X","components":[{"type":"spread_share","rate":0.2}]}' } });
    await userEvent.click(screen.getByTestId('plan-tab-form'));
    expect(screen.getByTestId('plan-form-blocked')).toHaveTextContent('components[0].rate is not written as a string');
    expect(screen.getByTestId('plan-json')).toBeInTheDocument();
  });
});

describe('plan JSON and the form', () => {
  it('reads the RULES.md example plan and writes it back unchanged', () => {
    const example = {
      plan_id: 'casino-hybrid', name: 'Casino hybrid 2026',
      components: [
        { type: 'revshare', rate: '0.25', admin_fee_rate: '0.10', payment_fee_rate: '0.02', negative_carryover: true, tier_metric: 'ftds',
          tier_mode: 'flat', tiers: [{ from: '0', rate: '0.25' }, { from: '10', rate: '0.30' }] },
        { type: 'cpa', amount: '100', geo_amounts: { DE: '150' }, min_deposits: '50', min_bets: '100', window_days: 30, countries: ['DE', 'AT'], cap_per_period: 100 },
        { type: 'lot_rebate', rates: { fx_major: '8', metals: '10' }, min_hold_seconds: 60, split: 'levels', level_shares: ['1', '0.5'] },
        { type: 'spread_share', rate: '0.20' },
        { type: 'purchase_share', first_rate: '0.15', repeat_rate: '0.10', first_purchase_cpa: '0' },
        { type: 'sub_override', levels: ['0.05', '0.02'] },
      ],
    };
    const read = draftFromText(JSON.stringify(example));
    if (!('draft' in read)) throw new Error(read.reason);
    expect(planJson(read.draft)).toEqual(example);
  });
});

import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import { mockApiDefaults } from '../test/apiMock';
import { detail, partner } from '../test/fixtures';
import { renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

const root = partner('ROOT', { name: 'Master IB', kind: 'ib' });
const mid = partner('MID', { name: 'Regional IB', kind: 'ib', parent_id: 'ROOT' });
const self = partner('SELF', { name: 'Sub IB', kind: 'ib', parent_id: 'MID', children: 1 });
const below = partner('LEAF', { name: 'Leaf IB', kind: 'ib', parent_id: 'SELF' });

describe('partner page', () => {
  it('shows the ancestors root first and names the parent', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(detail(self, [root, mid]));
    renderAt('/partners/SELF');
    expect(await screen.findByTestId('partner-title')).toHaveTextContent('Sub IB');
    const trail = screen.getByTestId('partner-ancestors');
    const links = within(trail).getAllByRole('link').map((a) => a.textContent);
    expect(links).toEqual(['Partners', 'Master IB', 'Regional IB']);
    expect(within(trail).getByTestId('ancestor-ROOT')).toHaveAttribute('href', '/partners/ROOT');
    expect(screen.getByTestId('partner-parent')).toHaveTextContent('Regional IB (MID)');
    expect(screen.getByTestId('partner-parent')).toHaveAttribute('href', '/partners/MID');
  });

  it('lists the subtree indented by depth, without the partner itself', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(detail(self, [root, mid]));
    vi.mocked(api.partnersTree).mockResolvedValue([{ depth: 0, partner: self }, { depth: 1, partner: below }]);
    renderAt('/partners/SELF');
    const subtree = await screen.findByTestId('partner-subtree');
    expect(await within(subtree).findByTestId('subtree-row-LEAF')).toHaveTextContent('Leaf IB');
    expect(within(subtree).queryByTestId('subtree-row-SELF')).not.toBeInTheDocument();
    expect(api.partnersTree).toHaveBeenCalledWith('SELF', 5);
  });

  it('says when a partner is at the top level', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(detail(root));
    renderAt('/partners/ROOT');
    expect(await screen.findByTestId('partner-parent')).toHaveTextContent('Top level');
  });

  it('shows why a partner could not be loaded', async () => {
    vi.mocked(api.partnersGet).mockRejectedValue({ code: 'not_found', message: "partner 'X' not found", field: null });
    renderAt('/partners/X');
    expect(await screen.findByTestId('error-state')).toHaveTextContent("partner 'X' not found");
  });
});

import { screen } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockApiDefaults } from '../test/apiMock';
import { renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

const NAV_IDS = ['dashboard', 'partners', 'deals', 'customers', 'reports', 'commissions', 'payouts', 'compliance', 'communication', 'settings'];

describe('app frame', () => {
  it('has every navigation link and shows the database and user in the header', async () => {
    renderAt('/');
    for (const id of NAV_IDS) expect(screen.getByTestId(`nav-${id}`)).toBeInTheDocument();
    expect(await screen.findByTestId('header-database')).toHaveTextContent('sqlite');
    expect(screen.getByTestId('header-user')).toHaveTextContent('anna');
    expect(screen.getByTestId('header-single-user')).toHaveTextContent('single-user mode');
    expect(screen.queryByTestId('signout')).not.toBeInTheDocument();
    expect(await screen.findByTestId('dashboard-partners')).toHaveTextContent('3');
  });

  it('opens the Communication page (no longer a placeholder)', async () => {
    renderAt('/communication');
    expect(await screen.findByTestId('outbox-empty')).toHaveTextContent('No messages yet');
    expect(screen.queryByTestId('placeholder')).not.toBeInTheDocument();
  });
});

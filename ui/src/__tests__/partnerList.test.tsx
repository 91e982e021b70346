import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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

describe('partner list', () => {
  it('renders the rows of the first page and the total', async () => {
    vi.mocked(api.partnersSearch).mockResolvedValue({ total: 2, rows: [partner('P-1'), partner('P-2', { name: 'Acme Media' })] });
    renderAt('/partners');
    expect(await screen.findByTestId('partner-row-P-1')).toBeInTheDocument();
    expect(screen.getByTestId('partner-row-P-2')).toHaveTextContent('Acme Media');
    expect(screen.getByTestId('partner-total')).toHaveTextContent('2 partners');
    // The first page asks for 100 rows from the start, never everything.
    expect(api.partnersSearch).toHaveBeenCalledWith(expect.objectContaining({ offset: 0, limit: 100 }));
  });

  it('fetches the next page of 100 only when scrolled to the end', async () => {
    const page = (offset: number) => Array.from({ length: 100 }, (_, i) => partner(`P-${offset + i}`));
    vi.mocked(api.partnersSearch).mockImplementation(async (q) => ({ total: 250, rows: page(q.offset) }));
    renderAt('/partners');
    await screen.findByTestId('partner-row-P-0');
    expect(api.partnersSearch).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('partner-row-P-99')).not.toBeInTheDocument(); // virtualised: not in the DOM yet
    const grid = screen.getByTestId('partner-grid');
    grid.scrollTop = 100 * 38 - 600;
    fireEvent.scroll(grid);
    await waitFor(() => expect(api.partnersSearch).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 100, limit: 100 })));
    expect(await screen.findByTestId('partner-row-P-99')).toBeInTheDocument();
  });

  it('searches on the server with the typed text, debounced', async () => {
    renderAt('/partners');
    await screen.findByTestId('partner-empty');
    await userEvent.type(screen.getByTestId('partner-search'), 'acme');
    await waitFor(() => expect(api.partnersSearch).toHaveBeenCalledWith(expect.objectContaining({ text: 'acme', offset: 0 })));
    // Debounced: no request went out for the partial words "a", "ac", "acm".
    const texts = vi.mocked(api.partnersSearch).mock.calls.map(([q]) => q.text);
    expect(texts).not.toContain('a');
    expect(texts).not.toContain('acm');
  });

  it('says how to get partners when there are none', async () => {
    renderAt('/partners');
    expect(await screen.findByTestId('partner-empty')).toHaveTextContent('No partners yet');
    expect(screen.getByTestId('partner-empty')).toHaveTextContent('partnerdesk demo');
    expect(screen.getByTestId('partner-total')).toHaveTextContent('0 partners');
  });

  it('shows the error when the search fails', async () => {
    vi.mocked(api.partnersSearch).mockRejectedValue({ code: 'no_database', message: 'no database is open', field: null });
    renderAt('/partners');
    expect(await screen.findByTestId('error-state')).toHaveTextContent('no database is open');
  });

  it('moves the selection with the arrow keys and opens it with Enter', async () => {
    vi.mocked(api.partnersSearch).mockResolvedValue({ total: 2, rows: [partner('P-1'), partner('P-2')] });
    vi.mocked(api.partnersGet).mockResolvedValue(detail(partner('P-2')));
    renderAt('/partners');
    await screen.findByTestId('partner-row-P-1');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    expect(screen.getByTestId('partner-row-P-2')).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByTestId('partner-title')).toHaveTextContent('Partner P-2');
    expect(api.partnersGet).toHaveBeenCalledWith('P-2');
  });

  it('focuses the search box on "/"', async () => {
    renderAt('/partners');
    await screen.findByTestId('partner-empty');
    await userEvent.keyboard('/');
    expect(screen.getByTestId('partner-search')).toHaveFocus();
  });
});

import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import * as api from '../api';
import { mockApiDefaults } from '../test/apiMock';
import { session } from '../test/fixtures';
import { renderAs, renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

const SIGN_IN_REQUIRED = { code: 'sign_in_required', message: 'Sign in first.', field: null };
/** The app as it starts: the gate asks the core who is signed in. */
const start = (path = '/') => renderAt(path, <App />, null);

describe('sign-in', () => {
  it('shows the sign-in screen when users exist and nobody is signed in, and nothing of the app', async () => {
    vi.mocked(api.sessionGet).mockRejectedValue(SIGN_IN_REQUIRED);
    start('/partners');
    expect(await screen.findByTestId('signin-user')).toBeInTheDocument();
    expect(screen.queryByTestId('nav-partners')).not.toBeInTheDocument();
    expect(api.partnersSearch).not.toHaveBeenCalled();
  });

  it("shows the core's message for a wrong password, clears the password and stays", async () => {
    vi.mocked(api.sessionGet).mockRejectedValue(SIGN_IN_REQUIRED);
    vi.mocked(api.sessionSignIn).mockRejectedValue({ code: 'refused', message: 'Wrong user name or password.', field: null });
    start();
    await userEvent.type(await screen.findByTestId('signin-user'), 'vera');
    await userEvent.type(screen.getByTestId('signin-password'), 'nope{Enter}');
    expect(await screen.findByTestId('signin-error')).toHaveTextContent('Wrong user name or password.');
    expect(api.sessionSignIn).toHaveBeenCalledWith('vera', 'nope');
    expect(screen.getByTestId('signin-password')).toHaveValue('');
    expect(screen.queryByTestId('nav-partners')).not.toBeInTheDocument();
  });

  it('asks for the missing field without calling the core', async () => {
    vi.mocked(api.sessionGet).mockRejectedValue(SIGN_IN_REQUIRED);
    start();
    await userEvent.click(await screen.findByTestId('signin-submit'));
    expect(screen.getByTestId('signin-error')).toHaveTextContent('Enter your user name.');
    await userEvent.type(screen.getByTestId('signin-user'), 'vera{Enter}');
    expect(screen.getByTestId('signin-error')).toHaveTextContent('Enter your password.');
    expect(api.sessionSignIn).not.toHaveBeenCalled();
  });

  it('opens the app after signing in, showing who and which roles, and signs out back to the screen', async () => {
    vi.mocked(api.sessionGet).mockRejectedValue(SIGN_IN_REQUIRED);
    vi.mocked(api.sessionSignIn).mockResolvedValue(session('fiona', ['finance']));
    vi.mocked(api.sessionSignOut).mockResolvedValue(null);
    start();
    await userEvent.type(await screen.findByTestId('signin-user'), 'fiona');
    await userEvent.type(screen.getByTestId('signin-password'), 'correct horse');
    await userEvent.click(screen.getByTestId('signin-submit'));
    expect(await screen.findByTestId('nav-partners')).toBeInTheDocument();
    expect(screen.getByTestId('header-user')).toHaveTextContent('Fiona');
    expect(screen.getByTestId('header-roles')).toHaveTextContent('finance');
    expect(screen.queryByTestId('header-single-user')).not.toBeInTheDocument();

    await userEvent.click(screen.getByTestId('signout'));
    await waitFor(() => expect(api.sessionSignOut).toHaveBeenCalled());
    expect(await screen.findByTestId('signin-user')).toBeInTheDocument();
    expect(screen.queryByTestId('nav-partners')).not.toBeInTheDocument();
  });

  it('goes back to the sign-in screen when a call says the session is gone', async () => {
    vi.mocked(api.sessionGet).mockRejectedValue(SIGN_IN_REQUIRED);
    vi.mocked(api.partnersSearch).mockRejectedValue(SIGN_IN_REQUIRED);
    renderAs(session('vera', ['viewer']), '/partners');
    expect(await screen.findByTestId('signin-user')).toBeInTheDocument();
    expect(api.sessionGet).toHaveBeenCalled();
  });

  it('in single-user mode shows the app straight away, says so, and offers no sign-out', async () => {
    start();
    expect(await screen.findByTestId('header-single-user')).toHaveTextContent('single-user mode');
    expect(screen.queryByTestId('signout')).not.toBeInTheDocument();
    expect(screen.queryByTestId('signin-user')).not.toBeInTheDocument();
  });
});

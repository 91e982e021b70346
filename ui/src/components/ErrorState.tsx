//! How a failed load is shown: the core's message, plus the way out when the
//! cause is the database or the missing desktop shell.
import { Alert, Anchor, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { toApiError } from '../errors';

const TITLES: Record<string, string> = {
  not_in_desktop: 'Not running inside the desktop app',
  no_database: 'No database is open',
  database_unavailable: 'The database cannot be reached',
  not_found: 'Not found',
};

export function ErrorState({ error, title }: { error: unknown; title?: string }) {
  const e = toApiError(error);
  const dbProblem = e.code === 'no_database' || e.code === 'database_unavailable';
  // When the cause is the setup, not this screen, say so rather than the screen's own title.
  const heading = e.code === 'not_in_desktop' || dbProblem ? TITLES[e.code] : (title ?? TITLES[e.code] ?? 'Something went wrong');
  return (
    <Alert color="red" title={heading} data-testid="error-state">
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{e.message}</Text>
      {dbProblem && (
        <Text size="sm" mt="xs">
          Check or change the database in <Anchor component={Link} to="/settings">Settings</Anchor>.
        </Text>
      )}
    </Alert>
  );
}

//! A message box like Mantine's Alert, but without `overflow: hidden`: the
//! WebDriver of WebKitGTK (the desktop end-to-end tests) reads the text of
//! elements inside an overflow-hidden box as empty, so messages that tests
//! read use this.
import type { ReactNode } from 'react';
import { Paper, Text } from '@mantine/core';

type Props = { color: string; title?: ReactNode; testId?: string; ok?: boolean; children: ReactNode; mt?: string };

export function Notice({ color, title, testId, ok, children, mt }: Props) {
  return (
    <Paper p="sm" mt={mt} role="alert" data-testid={testId} data-ok={ok === undefined ? undefined : String(ok)}
      bg={`var(--mantine-color-${color}-light)`} style={{ borderLeft: `4px solid var(--mantine-color-${color}-filled)` }}>
      {title && <Text fw={700} size="sm" c={`${color}.9`}>{title}</Text>}
      <Text size="sm" component="div" style={{ whiteSpace: 'pre-wrap' }}>{children}</Text>
    </Paper>
  );
}

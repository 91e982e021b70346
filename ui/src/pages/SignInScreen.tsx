//! Signing in at app start, when the database has users. The core's message
//! is shown as it is (wrong password, disabled user, locked for a while).
import { useState } from 'react';
import { Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sessionSignIn } from '../api';
import { toApiError } from '../errors';
import { SESSION_KEY, forgetAllButSession } from '../sessionCache';
import { Notice } from '../components/Notice';

export function SignInScreen() {
  const client = useQueryClient();
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => sessionSignIn(user.trim(), password),
    onSuccess: (session) => {
      forgetAllButSession(client);
      client.setQueryData(SESSION_KEY, session);
    },
    onError: () => setPassword(''),
  });
  const missing = user.trim() === '' ? 'Enter your user name.' : password === '' ? 'Enter your password.' : null;
  const [tried, setTried] = useState(false);
  const submit = () => {
    setTried(true);
    if (!missing) signIn.mutate();
  };
  const message = signIn.isError ? toApiError(signIn.error).message : tried ? missing : null;
  return (
    <Center h="100vh" bg="var(--mantine-color-gray-0)">
      <Paper withBorder shadow="sm" p="xl" w={380}>
        <form noValidate onSubmit={(e) => { e.preventDefault(); submit(); }} data-testid="signin-form">
          <Stack gap="sm">
            <Title order={3}>Partnerdesk</Title>
            <Text size="sm" c="dimmed">Sign in to continue.</Text>
            <TextInput label="User" value={user} onChange={(e) => setUser(e.currentTarget.value)} autoFocus autoComplete="username"
              data-testid="signin-user" />
            <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="current-password"
              data-testid="signin-password" />
            {message && <Notice color="red" testId="signin-error">{message}</Notice>}
            <Button type="submit" loading={signIn.isPending} data-testid="signin-submit">Sign in</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

//! Communication: the outbox, the templates and announcements to a segment.
import { Alert, Stack, Tabs, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { AnnouncementsView } from './AnnouncementsView';
import { useSmtp } from './mailQueries';
import { OutboxView } from './OutboxView';
import { TemplatesView } from './TemplatesView';

export function CommunicationPage() {
  const smtp = useSmtp();
  return (
    <Stack gap="md">
      <Title order={2}>Communication</Title>
      {smtp.data && !smtp.data.configured && (
        <Alert color="yellow" data-testid="smtp-missing">
          E-mail is not set up yet: messages wait in the outbox until the SMTP server is entered in <Link to="/settings">Settings → E-mail</Link>.
        </Alert>
      )}
      <Tabs defaultValue="outbox" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="outbox" data-testid="tab-outbox">Outbox</Tabs.Tab>
          <Tabs.Tab value="templates" data-testid="tab-templates">Templates</Tabs.Tab>
          <Tabs.Tab value="announcements" data-testid="tab-announcements">Announcements</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="outbox" pt="md"><OutboxView /></Tabs.Panel>
        <Tabs.Panel value="templates" pt="md"><TemplatesView /></Tabs.Panel>
        <Tabs.Panel value="announcements" pt="md"><AnnouncementsView /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

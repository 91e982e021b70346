//! One line's explanation in a drawer: the key facts, the customers behind
//! it, and the raw explanation for whoever recomputes it by hand.
import { useState } from 'react';
import { Anchor, Button, Code, Collapse, Drawer, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { commissionsLineDetail } from '../../api';
import type { LineRow } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { LINE_KINDS, labelOf } from '../../options';
import { customerPath } from '../customers/paths';
import { partnerPath } from '../partners/paths';
import { LineFacts } from './LineFacts';

function parse(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const CUSTOMERS_SHOWN = 300;

function Customers({ ids }: { ids: string[] }) {
  if (ids.length === 0) return null;
  return (
    <Stack gap={4}>
      <Title order={6}>Customers behind this line ({ids.length})</Title>
      <Group gap="xs" data-testid="line-customers">
        {ids.slice(0, CUSTOMERS_SHOWN).map((id) => (
          <Anchor key={id} component={Link} to={customerPath(id)} size="sm" data-testid={`line-customer-${id}`}>{id}</Anchor>
        ))}
      </Group>
      {ids.length > CUSTOMERS_SHOWN && <Text size="xs" c="dimmed">and {ids.length - CUSTOMERS_SHOWN} more</Text>}
    </Stack>
  );
}

export function LineDrawer({ line, onClose }: { line: LineRow | null; onClose: () => void }) {
  const [raw, setRaw] = useState(false);
  const detail = useQuery({
    queryKey: ['commissions', 'line', line?.period, line?.partner_id, line?.brand_id, line?.kind],
    queryFn: () => commissionsLineDetail(line!.period, line!.partner_id, line!.brand_id, line!.kind),
    enabled: line !== null,
  });
  const title = line ? `${labelOf(LINE_KINDS, line.kind)} · ${line.brand_id} · ${line.period}` : '';
  return (
    <Drawer opened={line !== null} onClose={onClose} position="right" size="xl" title={<Text fw={600}>{title}</Text>}>
      {line && (
        <Stack gap="md" data-testid="line-detail">
          <Text size="sm">
            <Anchor component={Link} to={partnerPath(line.partner_id)}>{line.partner_name || line.partner_id}</Anchor>{' '}
            <Text span c="dimmed" size="sm">({line.partner_id})</Text>
            {line.origin_period && <> · late data for closed period {line.origin_period}</>}
          </Text>
          {detail.isPending && <Text size="sm" c="dimmed">Loading the explanation…</Text>}
          {detail.isError && <ErrorState error={detail.error} title="The explanation could not be loaded" />}
          {detail.data && (
            <>
              <LineFacts line={detail.data.line} explanation={parse(detail.data.explanation)} />
              <Customers ids={detail.data.customers} />
              <Stack gap={4}>
                <Button variant="subtle" size="xs" w="fit-content" onClick={() => setRaw((r) => !r)} data-testid="line-explanation-toggle">
                  {raw ? 'Hide' : 'Show'} the raw explanation (JSON)
                </Button>
                <Collapse in={raw}>
                  <Code block data-testid="line-explanation-json">{detail.data.explanation}</Code>
                </Collapse>
              </Stack>
            </>
          )}
        </Stack>
      )}
    </Drawer>
  );
}

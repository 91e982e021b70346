//! Saving a plan, and saying plainly what happened: a new plan, a new
//! version of an existing one, or nothing changed.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { plansSave } from '../../../api';
import type { PlanView } from '../../../bindings';
import { notifyDone } from '../../../notify';
import { keys, usePlans } from '../../../queries';

/** The plan_id written in a plan's JSON text, if it can be read. */
function planIdOf(json: string): string | null {
  try {
    const v: unknown = JSON.parse(json);
    const id = typeof v === 'object' && v !== null ? (v as { plan_id?: unknown }).plan_id : undefined;
    return typeof id === 'string' ? id.trim() : null;
  } catch {
    return null;
  }
}

export function savedMessage(saved: PlanView, before: number | null): string {
  if (before === null) {
    return saved.version === 1 ? `Plan ${saved.plan_id} created (version 1).` : `Plan ${saved.plan_id} saved (version ${saved.version}).`;
  }
  if (saved.version > before) {
    return `New version ${saved.version} of plan ${saved.plan_id} created. Periods already closed keep version ${before}.`;
  }
  return `Nothing changed: plan ${saved.plan_id} stays at version ${saved.version}.`;
}

export function usePlanSave() {
  const client = useQueryClient();
  const plans = usePlans();
  const [message, setMessage] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: async (json: string) => {
      const id = planIdOf(json);
      const before = plans.data?.find((p) => p.plan_id === id)?.version ?? null;
      return { saved: await plansSave(json), before };
    },
    onMutate: () => setMessage(null),
    onSuccess: async ({ saved, before }) => {
      const text = savedMessage(saved, before);
      setMessage(text);
      notifyDone(text);
      await client.invalidateQueries({ queryKey: keys.plans });
    },
  });
  return { save, message, clearMessage: () => setMessage(null) };
}

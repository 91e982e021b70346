//! Where files go: a folder path, filled with a default inside the user's
//! Downloads folder, shown and changeable. The core checks it can write there
//! before anything changes and says so when it cannot.
import { useEffect, useState } from 'react';
import { TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { foldersDefault } from '../../api';

/** The folder text, starting at Downloads/`name` once the core has said where Downloads is. */
export function useFolder(name: string): [string, (v: string) => void] {
  const fallback = useQuery({ queryKey: ['folders', 'default', name], queryFn: () => foldersDefault(name), staleTime: Infinity });
  const [value, setValue] = useState('');
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (!touched && fallback.data) setValue(fallback.data);
  }, [fallback.data, touched]);
  return [value, (v: string) => { setTouched(true); setValue(v); }];
}

type Props = { value: string; onChange: (v: string) => void; error?: string | null; testId: string; label?: string };

export function FolderField({ value, onChange, error, testId, label = 'Folder' }: Props) {
  return (
    <TextInput label={label} description="Created when missing; the files are written into it." value={value}
      onChange={(e) => onChange(e.currentTarget.value)} error={error ?? undefined} data-testid={testId}
      errorProps={{ 'data-testid': `${testId}-error` }} miw={360} style={{ flex: 1 }} />
  );
}

import { Alert, Code } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../api/client';

/** An admin form's save: run it, keep the API's error for the form to show, refresh the lists it changed. */
export function useSave(keys: string[][]) {
  const qc = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  const save = async (fn: () => Promise<unknown>, done?: () => void): Promise<boolean> => {
    setError(null);
    try {
      await fn();
      for (const k of keys) await qc.invalidateQueries({ queryKey: k });
      done?.();
      return true;
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err)));
      return false;
    }
  };
  return { error, save };
}

/**
 * The API's error above a form. Forms that show field errors next to their inputs leave the fields out
 * (`fieldsInPlace`); forms over JSON (rules, conditions) list every field error with its path.
 */
export function FormError({ error, fieldsInPlace = false }: { error: ApiError | null; fieldsInPlace?: boolean }) {
  if (!error || (fieldsInPlace && error.fields.length)) return null;
  return (
    <Alert color="red" role="alert" py={6}>
      {error.message}
      {!fieldsInPlace && error.fields.length > 0 && (
        <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
          {error.fields.map((f) => (
            <li key={f.path}>
              <Code>{f.path.replace(/^body\./, '')}</Code> {f.message}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

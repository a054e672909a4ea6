import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncData<T> {
  loading: boolean;
  value?: T;
  error?: unknown;
  reload: () => void;
}

/**
 * Loads data with `load` when `deps` (serialisable values) change, and again on `reload()`.
 * Each answer is tagged with the request it belongs to, so a slow older answer never
 * overwrites a newer one; the previous value stays visible while the next one loads.
 */
export function useAsyncData<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncData<T> {
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify([generation, ...deps]);
  const [result, setResult] = useState<{ key?: string; value?: T; error?: unknown }>({});
  const loadRef = useRef(load);

  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    let current = true;
    loadRef.current().then(
      (value) => current && setResult({ key, value }),
      (error) => current && setResult({ key, error })
    );
    return () => {
      current = false;
    };
  }, [key]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const loading = result.key !== key;
  return { loading, value: result.value, error: loading ? undefined : result.error, reload };
}

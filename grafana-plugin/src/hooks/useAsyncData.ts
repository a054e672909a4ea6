import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncData<T> {
  loading: boolean;
  value?: T;
  error?: unknown;
  reload: () => void;
}

/**
 * Loads data with `load` when `deps` change, and again on `reload()`. Answers that arrive after
 * a newer request started (or after unmount) are dropped, so a slow response never overwrites a newer one.
 */
export function useAsyncData<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncData<T> {
  const [state, setState] = useState<{ loading: boolean; value?: T; error?: unknown }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableLoad = useCallback(load, deps);

  useEffect(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    stableLoad().then(
      (value) => ticket === latest.current && setState({ loading: false, value }),
      (error) => ticket === latest.current && setState({ loading: false, error })
    );
    return () => {
      latest.current++;
    };
  }, [stableLoad, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

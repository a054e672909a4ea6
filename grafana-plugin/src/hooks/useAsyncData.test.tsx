import { act, renderHook, waitFor } from '@testing-library/react';
import { useAsyncData } from './useAsyncData';

describe('useAsyncData', () => {
  test('loads, reports errors, and reloads on demand', async () => {
    let n = 0;
    const { result } = renderHook(() =>
      useAsyncData(() => (++n === 2 ? Promise.reject(new Error('boom')) : Promise.resolve(n)), [])
    );
    await waitFor(() => expect(result.current.value).toBe(1));
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.error).toEqual(new Error('boom')));
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.value).toBe(3));
    expect(result.current.error).toBeUndefined();
  });

  test('a slow older answer never overwrites a newer one', async () => {
    const resolvers: Record<string, (v: string) => void> = {};
    const { result, rerender } = renderHook(({ key }) => useAsyncData(() => new Promise<string>((r) => (resolvers[key] = r)), [key]), {
      initialProps: { key: 'old' },
    });
    rerender({ key: 'new' });
    await act(async () => resolvers.new('new value'));
    await act(async () => resolvers.old('old value'));
    expect(result.current.value).toBe('new value');
  });
});

import React from 'react';
import { screen } from '@testing-library/react';
import type { AppRootProps } from '@grafana/data';
import { installBackendSrv } from '../../testing/networkFakes';
import { renderWithRouter } from '../../testing/renderWithRouter';
import { testIds } from '../testIds';
import App from './App';

describe('App routes', () => {
  beforeEach(() => installBackendSrv(() => ({ status: 200, data: [] })));
  const props = { basename: '/a/aihub-observability-app', meta: { jsonData: {} } } as unknown as AppRootProps;

  test.each([
    ['/', testIds.overview.container],
    ['/assistant', testIds.assistant.container],
    ['/alerts', testIds.alerts.container],
    ['/unknown', testIds.overview.container],
  ])('%s renders its page', async (path, testId) => {
    renderWithRouter(
      <React.Suspense fallback="loading">
        <App {...props} />
      </React.Suspense>,
      path
    );
    expect(await screen.findByTestId(testId, {}, { timeout: 10000 })).toBeInTheDocument();
  });
});

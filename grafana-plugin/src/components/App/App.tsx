import React from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { ROUTES } from '../../constants';

const Overview = React.lazy(() => import('../../pages/Overview'));
const Assistant = React.lazy(() => import('../../pages/Assistant'));
const Alerts = React.lazy(() => import('../../pages/Alerts'));
const LiveTraining = React.lazy(() => import('../../pages/LiveTraining'));

function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Assistant} element={<Assistant />} />
      <Route path={ROUTES.Alerts} element={<Alerts />} />
      <Route path={ROUTES.LiveTraining} element={<LiveTraining />} />
      <Route path="*" element={<Overview />} />
    </Routes>
  );
}

export default App;

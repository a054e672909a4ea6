import React, { useEffect } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';

/** The last location the router saw, for asserting navigation done by a page. */
export const lastLocation: { search: string; pathname: string } = { search: '', pathname: '' };

function LocationProbe() {
  const loc = useLocation();
  useEffect(() => {
    lastLocation.search = loc.search;
    lastLocation.pathname = loc.pathname;
  }, [loc]);
  return null;
}

/** Grafana renders every plugin page inside a router (v6 API); tests do the same. */
export function renderWithRouter(ui: React.ReactElement, url = '/') {
  return render(
    <MemoryRouter initialEntries={[url]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Routes>
        <Route
          path="*"
          element={
            <>
              <LocationProbe />
              {ui}
            </>
          }
        />
      </Routes>
    </MemoryRouter>
  );
}

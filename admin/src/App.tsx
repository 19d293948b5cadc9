// The admin shell: react-admin with the Material UI theme, one <Resource> per screen; admin-only screens
// (audit log, staff grants) are registered for admins only. Heavy screens are loaded on demand.
import { lazy, Suspense } from 'react';
import { Admin, CustomRoutes, Loading, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { authProvider, dataProvider } from './providers';
import { auditResource } from './resources/audit';
import { categoriesResource } from './resources/categories';
import { couponsResource } from './resources/coupons';
import { customersResource } from './resources/customers';
import { jobsResource } from './resources/jobs';
import { ordersResource } from './resources/orders';
import { productsResource } from './resources/products';
import { reviewsResource } from './resources/reviews';
import { theme } from './theme';
import { Layout } from './Layout';

const Dashboard = lazy(() => import('./resources/dashboard'));
const ImportPage = lazy(() => import('./resources/import'));

function LazyDashboard() {
  return (
    <Suspense fallback={<Loading />}>
      <Dashboard />
    </Suspense>
  );
}

export function App() {
  // a browser router under /admin: deep links like /admin/orders/<id>/show are real URLs (the API serves the
  // shell for every /admin/ path), not hash routes
  return (
    <BrowserRouter basename="/admin">
    <Admin
      title="Emporium admin"
      theme={theme}
      layout={Layout}
      dataProvider={dataProvider}
      authProvider={authProvider}
      dashboard={LazyDashboard}
      requireAuth
      disableTelemetry
    >
      {(permissions: string) => (
        <>
          <Resource name="orders" {...ordersResource} />
          <Resource name="products" {...productsResource} />
          <Resource name="categories" {...categoriesResource} />
          <Resource name="customers" {...customersResource} />
          <Resource name="coupons" {...couponsResource} />
          <Resource name="reviews" {...reviewsResource} />
          <Resource name="jobs" {...jobsResource} />
          {permissions === 'admin' ? <Resource name="audit" {...auditResource} /> : null}
          <Resource name="addresses" />
          <CustomRoutes>
            <Route
              path="/import"
              element={
                <Suspense fallback={<Loading />}>
                  <ImportPage />
                </Suspense>
              }
            />
          </CustomRoutes>
        </>
      )}
    </Admin>
    </BrowserRouter>
  );
}

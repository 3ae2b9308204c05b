import { lazy, Suspense } from 'react';
import { Admin, Loading, defaultTheme, type LayoutProps } from 'react-admin';
import { dataProvider } from './data/lazyDataProvider';
import { authProvider } from './data/authProvider';
import { i18nProvider } from './i18n';

// The sign-in page loads only react-admin, MUI and the providers; the layout, the home page
// (recharts), the resources and the data provider (Apollo, graphql-js, the schema) are
// separate chunks loaded once signed in.
const LazyLayout = lazy(() => import('./layout').then((m) => ({ default: m.AppLayout })));
const Home = lazy(() => import('./dashboard/Home').then((m) => ({ default: m.Home })));
const loadRoutes = () => import('./routes').then((m) => m.routes());

function AppLayout(props: LayoutProps) {
  return (
    <Suspense fallback={<Loading />}>
      <LazyLayout {...props} />
    </Suspense>
  );
}

const theme = {
  ...defaultTheme,
  palette: { ...defaultTheme.palette, primary: { main: '#1f4e79' }, secondary: { main: '#1f4e79' } },
  sidebar: { width: 248, closedWidth: 56 },
  components: {
    ...defaultTheme.components,
    MuiTableCell: { styleOverrides: { sizeSmall: { padding: '6px 10px' } } },
  },
};

export function App() {
  return (
    <Admin
      title="Çağrı Merkezi"
      dataProvider={dataProvider}
      authProvider={authProvider}
      i18nProvider={i18nProvider}
      layout={AppLayout}
      dashboard={Home}
      theme={theme as any}
      disableTelemetry
      requireAuth
    >
      {loadRoutes}
    </Admin>
  );
}

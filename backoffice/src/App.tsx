import { Admin, CustomRoutes, Resource, defaultTheme } from 'react-admin';
import { Route } from 'react-router-dom';
import { dataProvider } from './data/dataProvider';
import { authProvider } from './data/authProvider';
import { i18nProvider } from './i18n';
import { resources } from './resources';
import { AppLayout } from './layout';
import { Home } from './dashboard/Home';
import { Pipeline } from './resources/opportunities/Pipeline';
import { HAS_MAIL, Quarantine } from './resources/mail/mail';

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
      {resources.map((r) => (
        <Resource key={r.name} {...(r as any)} />
      ))}
      <CustomRoutes>
        <Route path="/pipeline" element={<Pipeline />} />
        {HAS_MAIL && <Route path="/mail-quarantine" element={<Quarantine />} />}
      </CustomRoutes>
    </Admin>
  );
}

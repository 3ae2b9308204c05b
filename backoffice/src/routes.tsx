import { CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import { resources } from './resources';
import { Pipeline } from './resources/opportunities/Pipeline';
import { HAS_MAIL, Quarantine } from './resources/mail/mail';

/**
 * Every resource and page of the signed-in application. App.tsx loads this module only after
 * sign-in (react-admin's promise-returning child), so the sign-in page downloads none of it.
 */
export function routes() {
  return (
    <>
      {resources.map((r) => (
        <Resource key={r.name} {...(r as any)} />
      ))}
      <CustomRoutes>
        <Route path="/pipeline" element={<Pipeline />} />
        {HAS_MAIL && <Route path="/mail-quarantine" element={<Quarantine />} />}
      </CustomRoutes>
    </>
  );
}

/**
 * What other modules and the platform may use of the identity module: resolving a bearer token
 * into the identity a request acts as, and the password and e-mail helpers first-run set-up
 * needs. Everything else of the module is internal.
 */
export { hashPassword, identityOf, normalizeEmail, resolveIdentity } from './services/auth.service';

import type { AuthProvider } from 'react-admin';
import { gql } from './graphql';
import { session } from './session';
import { closeLive } from './live';

export interface Rule {
  action: string;
  subject: string;
  inverted: boolean;
  conditions?: Record<string, unknown> | null;
  fields?: string[] | null;
}

let rules: Promise<Rule[]> | null = null;

/** The signed-in user's rules (myPermissions), asked once per session. */
export function loadRules(): Promise<Rule[]> {
  if (!session.token()) return Promise.resolve([]);
  rules ??= gql<{ myPermissions: Rule[] }>('{ myPermissions { action subject inverted conditions fields } }')
    .then((d) => d.myPermissions)
    .catch((err) => {
      rules = null;
      throw err;
    });
  return rules;
}

/**
 * Whether some rule lets the user do `action` on `subject` (any row): the interface hides what
 * no rule allows; the API decides for each row and field.
 */
export function can(list: Rule[], action: string, subject: string, field?: string): boolean {
  const matches = (r: Rule) => (r.subject === subject || r.subject === 'all') && (r.action === action || r.action === 'manage');
  const allowed = list.some((r) => !r.inverted && matches(r) && (!field || !r.fields?.length || r.fields.includes(field)));
  const denied = list.some((r) => r.inverted && matches(r) && !r.conditions && (!r.fields?.length || (field && r.fields.includes(field))));
  return allowed && !denied;
}

const RA_ACTION: Record<string, string> = { list: 'read', show: 'read', export: 'read', create: 'create', edit: 'update', delete: 'archive', clone: 'create' };

export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    const d = await gql<{ signIn: { token: string; user: { id: string; name: string; email: string } } }>(
      'mutation($input: SignInInput!) { signIn(input: $input) { token user { id name email } } }',
      { input: { email: username.trim(), password } },
    );
    session.set(d.signIn.token, d.signIn.user);
    rules = null;
  },
  async logout() {
    if (session.token()) await gql('mutation { signOut }').catch(() => undefined);
    session.clear();
    rules = null;
    closeLive();
  },
  async checkAuth() {
    if (!session.token()) throw new Error('ra.auth.auth_check_error');
  },
  async checkError(error: any) {
    if (error?.status === 401) {
      session.clear();
      rules = null;
      throw new Error('ra.notification.logged_out');
    }
  },
  async getIdentity() {
    const u = session.user();
    if (!u) throw new Error('ra.auth.auth_check_error');
    return { id: u.id, fullName: u.name, email: u.email };
  },
  async getPermissions() {
    return loadRules();
  },
  async canAccess({ resource, action, field }: { resource: string; action: string; record?: unknown; field?: string }) {
    // Loaded on first use, not with the sign-in page.
    const { RESOURCES } = await import('./resources');
    const subject = RESOURCES[resource]?.subject ?? resource;
    const list = await loadRules();
    return can(list, RA_ACTION[action] ?? action, subject, field);
  },
};

import { usePermissions } from 'react-admin';
import { can, type Rule } from '../data/authProvider';

/** `allowed(action, subject, field?)` from the user's rules; the API still decides per record. */
export function usePerm() {
  const { permissions, isPending } = usePermissions<Rule[]>();
  return { allowed: (action: string, subject: string, field?: string) => !isPending && can(permissions ?? [], action, subject, field), isPending };
}

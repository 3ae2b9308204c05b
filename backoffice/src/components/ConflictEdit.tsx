import { useState, type ReactElement, type ReactNode } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { Edit, useDataProvider, useNotify, useRedirect, useRefresh, useResourceContext, useTranslate, type EditProps } from 'react-admin';
import { isConflict } from '../data/graphql';
import { argType } from '../data/schema';
import { RESOURCES } from '../data/resources';
import type { GraphQLInputObjectType } from 'graphql';

const show = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'object') return (v as any).name ?? (v as any).fullName ?? JSON.stringify(v);
  return String(v);
};
/** A relation's id shown by its name when the record carries it. */
const valueOf = (record: Record<string, any>, k: string): string => {
  const rel = k.endsWith('Id') ? record[k.slice(0, -2)] : undefined;
  if (rel && typeof rel === 'object' && String(rel.id) === String(record[k])) return show(rel);
  return show(record[k]);
};
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

interface Conflict {
  id: string;
  mine: Record<string, any>;
  base: Record<string, any>;
  theirs: Record<string, any>;
}

/**
 * An edit page that never overwrites silently: saves wait for the server (pessimistic) and a
 * version conflict opens a dialog with the other person's values next to the user's, to save
 * again over theirs or load theirs.
 */
export function ConflictEdit({ children, redirect = 'show', ...props }: Omit<EditProps, 'children'> & { children: ReactElement | ReactNode }) {
  const resource = useResourceContext(props)!;
  const dataProvider = useDataProvider();
  const notify = useNotify();
  const refresh = useRefresh();
  const redirectTo = useRedirect();
  const translate = useTranslate();
  const [conflict, setConflict] = useState<Conflict | null>(null);

  const onError = async (error: any, variables: any) => {
    if (!isConflict(error)) {
      // Field errors are shown under their fields (and summed up by the form's own notice).
      if (!error?.body?.errors) notify(error?.message ?? 'ra.notification.http_error', { type: 'error' });
      return;
    }
    const { data: theirs } = await dataProvider.getOne(resource, { id: variables.id });
    setConflict({ id: variables.id, mine: variables.data, base: variables.previousData ?? {}, theirs });
  };

  // Only what the form can change (the update input's fields) is compared.
  const update = RESOURCES[resource]?.update;
  const editable = new Set(Object.keys(update ? ((argType('Mutation', update, 'input') as GraphQLInputObjectType | undefined)?.getFields() ?? {}) : {}));
  const changed = conflict
    ? Object.keys(conflict.mine).filter((k) => editable.has(k) && typeof conflict.theirs[k] !== 'object' && (!same(conflict.mine[k], conflict.base[k]) || !same(conflict.theirs[k], conflict.base[k])) && !same(conflict.mine[k], conflict.theirs[k]))
    : [];

  return (
    <>
      <Edit mutationMode="pessimistic" redirect={redirect} mutationOptions={{ onError }} {...props}>
        {children as ReactElement}
      </Edit>
      <Dialog open={!!conflict} onClose={() => setConflict(null)} aria-labelledby="conflict-title" maxWidth="md" fullWidth>
        <DialogTitle id="conflict-title">{translate('app.message.conflict_title')}</DialogTitle>
        <DialogContent>
          <DialogContentText>{translate('app.message.conflict_body')}</DialogContentText>
          {changed.length ? (
            <Table size="small" sx={{ mt: 2 }} data-testid="conflict-table">
              <TableHead>
                <TableRow>
                  <TableCell />
                  <TableCell>{translate('app.field.theirs')}</TableCell>
                  <TableCell>{translate('app.field.mine')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {changed.map((k) => (
                  <TableRow key={k}>
                    <TableCell>{translate(`resources.${resource}.fields.${k}`, { _: k })}</TableCell>
                    <TableCell>{valueOf(conflict!.theirs, k)}</TableCell>
                    <TableCell>{valueOf(conflict!.mine, k)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : (
            <DialogContentText sx={{ mt: 2 }}>{translate('app.message.no_differences')}</DialogContentText>
          )}
        </DialogContent>
        <DialogActions>
          <Button
            onClick={() => {
              setConflict(null);
              refresh();
            }}
          >
            {translate('app.action.take_theirs')}
          </Button>
          <Button
            variant="contained"
            onClick={async () => {
              const c = conflict!;
              try {
                // Only the fields the user changed, on top of the other person's version.
                const data = Object.fromEntries(Object.entries(c.mine).filter(([k, v]) => !same(v, c.base[k])));
                await dataProvider.update(resource, { id: c.id, data, previousData: c.theirs });
                setConflict(null);
                notify('ra.notification.updated', { type: 'success', messageArgs: { smart_count: 1 } });
                redirectTo(typeof redirect === 'string' ? redirect : 'show', resource, c.id);
              } catch (err: any) {
                if (isConflict(err)) {
                  const { data: theirs } = await dataProvider.getOne(resource, { id: c.id });
                  setConflict({ ...c, theirs });
                } else notify(err?.message ?? 'ra.notification.http_error', { type: 'error' });
              }
            }}
          >
            {translate('app.action.overwrite')}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Button, Card, CardContent, Dialog, DialogActions, DialogContent, DialogTitle, IconButton, LinearProgress, Link, ListItemIcon, ListItemText, Menu, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Tooltip, Typography } from '@mui/material';
import CloseIcon from '@mui/icons-material/Close';
import TableViewIcon from '@mui/icons-material/TableView';
import PictureAsPdfIcon from '@mui/icons-material/PictureAsPdf';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import DownloadIcon from '@mui/icons-material/Download';
import { useListContext, useNotify, useRefresh, useTranslate } from 'react-admin';
import type { GraphQLInputObjectType } from 'graphql';
import { download, gql, upload } from '../data/graphql';
import { argType, rootField } from '../data/schema';
import { shapeInput } from '../data/dataProvider';
import { useSubscription } from '../data/live';

/** Exports and imports exist when the committed schema has them (the exports module). */
export const HAS_EXPORTS = !!rootField('Mutation', 'exportApplications');
export const HAS_IMPORTS = !!rootField('Mutation', 'applyImport');

export const JOB_FIELDS = 'id kind status progress rowCount totalRows fileName downloadUrl error format size expiresAt importReport { target applied totalRows validRows invalidRows created updated unchanged moreProblems problems { row column field message } }';
const JOB = JOB_FIELDS;

export interface Job {
  id: string;
  kind: string;
  status: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED' | 'CANCELLED' | 'EXPIRED';
  progress: number;
  rowCount: number;
  totalRows?: number | null;
  fileName?: string | null;
  downloadUrl?: string | null;
  error?: string | null;
  importReport?: any;
}

// The jobs this tab started, newest first; the panel shows them until dismissed.
let jobs: Job[] = [];
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());
const store = {
  subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)),
  get: () => jobs,
  put(job: Job) {
    jobs = jobs.some((j) => j.id === job.id) ? jobs.map((j) => (j.id === job.id ? { ...j, ...job } : j)) : [job, ...jobs];
    emit();
  },
  drop(id: string) {
    jobs = jobs.filter((j) => j.id !== id);
    emit();
  },
};

const finished = (j: Job) => ['DONE', 'FAILED', 'CANCELLED', 'EXPIRED'].includes(j.status);

/** Follows the user's jobs over the exportJobChanged subscription, with a slow poll as a safety net. */
function useFollowJobs(list: Job[]) {
  const active = list.filter((j) => !finished(j));
  useSubscription(HAS_EXPORTS && active.length ? `subscription { exportJobChanged { ${JOB} } }` : null, {}, (d: any) => store.put(d.exportJobChanged), 0);
  const key = active.map((j) => j.id).join(',');
  useEffect(() => {
    if (!key) return;
    // One query for all of the user's recent jobs (not one per job), in case an event was missed.
    const ids = new Set(key.split(','));
    const timer = setInterval(() => {
      gql(`query { exportJobs(limit: 20) { ${JOB} } }`).then((d) => d.exportJobs.filter((j: Job) => ids.has(j.id)).forEach(store.put), () => undefined);
    }, 5000);
    return () => clearInterval(timer);
  }, [key]);
}

export function startJob(job: Job) {
  store.put(job);
}

function ImportReport({ job }: { job: Job }) {
  const translate = useTranslate();
  const notify = useNotify();
  const r = job.importReport;
  if (!r) return null;
  return (
    <Box sx={{ mt: 1 }}>
      <Typography variant="body2">
        {translate('app.jobs.report', { total: r.totalRows, valid: r.validRows, invalid: r.invalidRows, created: r.created, updated: r.updated, unchanged: r.unchanged })}
      </Typography>
      {r.problems.length > 0 && (
        <Box sx={{ maxHeight: 160, overflow: 'auto', mt: 1 }}>
          <Table size="small" aria-label={translate('app.jobs.problems')}>
            <TableHead>
              <TableRow>
                <TableCell>{translate('app.jobs.row')}</TableCell>
                <TableCell>{translate('app.jobs.column')}</TableCell>
                <TableCell>{translate('app.jobs.problem')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {r.problems.slice(0, 50).map((p: any, i: number) => (
                <TableRow key={i}>
                  <TableCell>{p.row}</TableCell>
                  <TableCell>{p.column}</TableCell>
                  <TableCell>{p.message}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
      {!r.applied && r.validRows > 0 && (
        <Button
          size="small"
          variant="contained"
          sx={{ mt: 1 }}
          onClick={() =>
            gql(`mutation($id: ID!) { applyImport(id: $id) { ${JOB} } }`, { id: job.id }).then(
              (d) => {
                store.drop(job.id);
                store.put(d.applyImport);
              },
              (e) => notify(e.message, { type: 'error' }),
            )
          }
        >
          {translate('app.jobs.apply', { count: r.validRows })}
        </Button>
      )}
    </Box>
  );
}

/** Bottom-right: every export or import of this session with its progress and, when done, its link. */
export function JobsPanel() {
  const list = useSyncExternalStore(store.subscribe, store.get);
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const refreshed = useRef(new Set<string>());
  useFollowJobs(list);
  // A written import changes the lists on screen.
  useEffect(() => {
    for (const j of list) {
      if (j.status === 'DONE' && j.importReport?.applied && !refreshed.current.has(j.id)) {
        refreshed.current.add(j.id);
        refresh();
      }
    }
  }, [list, refresh]);
  if (!list.length) return null;
  return (
    <Stack spacing={1} sx={{ position: 'fixed', right: 16, bottom: 16, width: 360, maxWidth: 'calc(100vw - 32px)', zIndex: 1200 }} role="status" aria-live="polite">
      {list.slice(0, 4).map((j) => (
        <Card key={j.id} elevation={6} data-testid="job-card">
          <CardContent sx={{ pb: '12px !important' }}>
            <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
              <Typography variant="subtitle2">{translate(`app.jobs.kind.${j.kind.replace('.', '_')}`, { _: j.kind })}</Typography>
              <Box>
                {!finished(j) && (
                  <Button size="small" onClick={() => gql(`mutation($id: ID!) { cancelExportJob(id: $id) { ${JOB} } }`, { id: j.id }).then((d) => store.put(d.cancelExportJob), (e) => notify(e.message, { type: 'error' }))}>
                    {translate('ra.action.cancel')}
                  </Button>
                )}
                <Tooltip title={translate('ra.action.close')}>
                  <IconButton size="small" onClick={() => store.drop(j.id)} aria-label={translate('ra.action.close')}>
                    <CloseIcon fontSize="small" />
                  </IconButton>
                </Tooltip>
              </Box>
            </Stack>
            <LinearProgress variant={j.status === 'QUEUED' ? 'indeterminate' : 'determinate'} value={j.status === 'DONE' ? 100 : Math.max(0, Math.min(100, j.progress ?? 0))} sx={{ my: 1 }} aria-label={translate('app.jobs.progress')} />
            <Typography variant="body2" color="text.secondary">
              {translate(`app.jobs.status.${j.status}`)} · {j.rowCount}
              {j.totalRows ? ` / ${j.totalRows}` : ''} {translate('app.jobs.rows')}
            </Typography>
            {j.status === 'FAILED' && j.error && (
              <Typography variant="body2" color="error">
                {j.error}
              </Typography>
            )}
            {j.status === 'DONE' && j.downloadUrl && (
              <Link href={j.downloadUrl} download={j.fileName ?? undefined} data-testid="job-download" sx={{ fontWeight: 600 }}>
                {translate('app.jobs.download')}: {j.fileName}
              </Link>
            )}
            {j.status === 'DONE' && <ImportReport job={j} />}
          </CardContent>
        </Card>
      ))}
    </Stack>
  );
}

const EXPORT_APPLICATIONS = `mutation($input: ApplicationExportInput!) { exportApplications(input: $input) { ${JOB} } }`;

/** Excel and PDF of the filtered list, of the selected rows, or of one application. */
export function ExportJobButtons({ kind, id }: { kind: 'list' | 'selection' | 'one'; id?: string }) {
  if (!HAS_EXPORTS) return null;
  return kind === 'one' ? <ExportOne id={id!} /> : <ExportList selection={kind === 'selection'} />;
}

function ExportOne({ id }: { id: string }) {
  const translate = useTranslate();
  const notify = useNotify();
  return (
    <Button
      startIcon={<PictureAsPdfIcon />}
      onClick={() => gql(`mutation($id: ID!) { exportApplication(id: $id) { ${JOB} } }`, { id }).then((d) => startJob(d.exportApplication), (e) => notify(e.message, { type: 'error' }))}
    >
      {translate('app.action.export_pdf')}
    </Button>
  );
}

function ExportList({ selection }: { selection: boolean }) {
  const translate = useTranslate();
  const notify = useNotify();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const { filterValues, sort, selectedIds } = useListContext();
  const run = (format: 'XLSX' | 'PDF') => {
    setAnchor(null);
    const filter = shapeInput(argType('Query', 'applications', 'filter') as GraphQLInputObjectType, filterValues ?? {});
    const input: Record<string, unknown> = { format, title: translate('resources.applications.name', { smart_count: 2 }) };
    if (selection) input.ids = selectedIds.map(String);
    else input.filter = filter;
    if (sort?.field && sort.field !== 'id') input.sort = [{ field: sort.field, direction: sort.order }];
    gql(EXPORT_APPLICATIONS, { input }).then((d) => startJob(d.exportApplications), (e) => notify(e.message, { type: 'error' }));
  };
  return (
    <>
      <Button size="small" startIcon={<DownloadIcon />} onClick={(e) => setAnchor(e.currentTarget)} aria-haspopup="menu">
        {translate('ra.action.export')}
      </Button>
      <Menu anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        <MenuItem onClick={() => run('XLSX')}>
          <ListItemIcon>
            <TableViewIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>{translate('app.action.export_excel')}</ListItemText>
        </MenuItem>
        <MenuItem onClick={() => run('PDF')}>
          <ListItemIcon>
            <PictureAsPdfIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>{translate('app.action.export_pdf')}</ListItemText>
        </MenuItem>
      </Menu>
    </>
  );
}

/** Import of accounts or contacts from Excel: template, upload, validation report, then apply. */
export function ImportButton({ target }: { target: 'accounts' | 'contacts' }) {
  const translate = useTranslate();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  if (!HAS_IMPORTS) return null;
  return (
    <>
      <Button size="small" startIcon={<UploadFileIcon />} onClick={() => setOpen(true)}>
        {translate('app.jobs.import')}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="import-title" fullWidth maxWidth="sm">
        <DialogTitle id="import-title">
          {translate('app.jobs.import')}: {translate(`resources.${target}.name`, { smart_count: 2 })}
        </DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Typography variant="body2">{translate('app.jobs.import_help')}</Typography>
          <Link component="button" onClick={() => download(`/imports/templates/${target}`, `${target}.xlsx`).catch((e) => notify(e.message, { type: 'error' }))} sx={{ alignSelf: 'flex-start' }}>
            {translate('app.jobs.template')}
          </Link>
          <TextField type="file" slotProps={{ htmlInput: { accept: '.xlsx', 'aria-label': translate('app.field.file') } }} onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} name="importFile" />
          <TextField select value={target} disabled label={translate('app.jobs.target')} size="small">
            <MenuItem value={target}>{translate(`resources.${target}.name`, { smart_count: 2 })}</MenuItem>
          </TextField>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>{translate('ra.action.cancel')}</Button>
          <Button
            variant="contained"
            disabled={!file || busy}
            onClick={async () => {
              setBusy(true);
              try {
                const res = await upload('/imports', file!, { target });
                const id = res.data.job.id;
                const d = await gql(`query($id: ID!) { exportJob(id: $id) { ${JOB} } }`, { id });
                startJob(d.exportJob);
                setOpen(false);
              } catch (e: any) {
                notify(e.message, { type: 'error' });
              } finally {
                setBusy(false);
              }
            }}
          >
            {translate('app.jobs.check')}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

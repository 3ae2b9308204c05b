import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Box, Breadcrumbs, Button, ButtonGroup, Card, CardContent, CardHeader, Grid, IconButton, Link as MuiLink, MenuItem, TextField, Tooltip, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import ImageIcon from '@mui/icons-material/Image';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip as ChartTooltip, XAxis, YAxis, Cell } from 'recharts';
import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { useLocaleState, useNotify, useTranslate } from 'react-admin';
import { gql } from '../data/graphql';
import { useSubscription } from '../data/live';
import { formatDate } from '../components/fields';
import { intlLocale } from '../i18n';
import { JOB_FIELDS, startJob } from '../components/jobs';
import { rootField } from '../data/schema';
import PictureAsPdfIcon from '@mui/icons-material/PictureAsPdf';
import TableViewIcon from '@mui/icons-material/TableView';

/** The whole dashboard to PDF or Excel as an export job, when the API offers it. */
const HAS_DASHBOARD_EXPORT = !!rootField('Mutation', 'exportDashboard');

const DASHBOARD = `query($input: DashboardInput!) { dashboard(input: $input) {
  from to fromRollups
  totals { total open closed averageHoursToAcceptance averageHoursToClose }
  byStage { id label count }
  byCategory { id label count hasChildren level }
  byAssignee { id label open closed total }
  byTeam { id label open closed total }
  topAccounts { id label count }
  topProjects { id label count }
  timeByUser { id label minutes }
  timeByCategory { id label minutes }
  timeByProject { id label minutes }
  timeByAccount { id label minutes }
  timeline { start opened closed }
} }`;
const CHANGED = 'subscription { dashboardChanged { at changes } }';

const PALETTE = ['#1f4e79', '#2e86c1', '#17a589', '#d4ac0d', '#ca6f1e', '#884ea0', '#c0392b', '#7f8c8d'];
const day = (d: Date) => d.toLocaleDateString('sv-SE');

function csv(rows: Record<string, unknown>[]): string {
  if (!rows.length) return '';
  const keys = Object.keys(rows[0]);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[";\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [keys.join(';'), ...rows.map((r) => keys.map((k) => cell(r[k])).join(';'))].join('\r\n');
}

function save(blob: Blob, name: string) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** A chart card with its own exports: the figures as CSV (Excel opens it) and the picture as SVG. */
function ChartCard({ title, rows, name, children, height = 260, action }: { title: string; rows: Record<string, unknown>[]; name: string; children: ReactNode; height?: number; action?: ReactNode }) {
  const translate = useTranslate();
  const box = useRef<HTMLDivElement>(null);
  return (
    <Card variant="outlined" sx={{ height: '100%' }} data-testid={`chart-${name}`}>
      <CardHeader
        title={title}
        slotProps={{ title: { variant: 'subtitle1', component: 'h2', sx: { fontWeight: 600 } } }}
        sx={{ pb: 0 }}
        action={
          <>
            {action}
            <Tooltip title={`${translate('app.dashboard.export_csv')}: ${title}`}>
              <IconButton aria-label={`${translate('app.dashboard.export_csv')}: ${title}`} onClick={() => save(new Blob(['\ufeff' + csv(rows)], { type: 'text/csv;charset=utf-8' }), `${name}.csv`)}>
                <DownloadIcon fontSize="small" />
              </IconButton>
            </Tooltip>
            <Tooltip title={`${translate('app.dashboard.export_svg')}: ${title}`}>
              <IconButton
                aria-label={`${translate('app.dashboard.export_svg')}: ${title}`}
                onClick={() => {
                  const svg = box.current?.querySelector('svg.recharts-surface');
                  if (!svg) return;
                  const clone = svg.cloneNode(true) as SVGElement;
                  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
                  save(new Blob([clone.outerHTML], { type: 'image/svg+xml' }), `${name}.svg`);
                }}
              >
                <ImageIcon fontSize="small" />
              </IconButton>
            </Tooltip>
          </>
        }
      />
      <CardContent>
        <Box ref={box} sx={{ height }}>
          {rows.length ? (
            children
          ) : (
            <Typography variant="body2" color="text.secondary">
              {translate('app.message.nothing')}
            </Typography>
          )}
        </Box>
      </CardContent>
    </Card>
  );
}

function Stat({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <Card variant="outlined" sx={{ height: '100%' }}>
      <CardContent>
        <Typography variant="body2" color="text.secondary" noWrap title={label}>
          {label}
        </Typography>
        <Typography variant="h4" component="p" data-testid={testId}>
          {value}
        </Typography>
      </CardContent>
    </Card>
  );
}

/** The manager's dashboard: every aggregate of the API for a date range, live. */
export function Dashboard() {
  const translate = useTranslate();
  const notify = useNotify();
  const [locale] = useLocaleState();
  const nf = useMemo(() => new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 1 }), [locale]);
  const today = new Date();
  const [from, setFrom] = useState(() => day(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29)));
  const [to, setTo] = useState(() => day(today));
  const [granularity, setGranularity] = useState<'DAY' | 'WEEK' | 'MONTH'>('DAY');
  const [path, setPath] = useState<{ id: string; label: string }[]>([]);
  const categoryParentId = path.at(-1)?.id;
  const input = { from, to, granularity, top: 10, ...(categoryParentId ? { categoryParentId } : {}) };
  const { data, refetch, error } = useQuery({
    queryKey: ['dashboard', input],
    queryFn: () => gql(DASHBOARD, { input }).then((d) => d.dashboard),
    placeholderData: keepPreviousData,
    enabled: from <= to,
  });
  useSubscription(CHANGED, {}, () => void refetch(), 300);
  // Once per failure, not on every render.
  useEffect(() => {
    if (error) notify((error as Error).message, { type: 'error' });
  }, [error, notify]);
  const exportAs = (format: 'PDF' | 'XLSX') =>
    gql(`mutation($format: ExportFormat!, $input: DashboardInput!) { exportDashboard(format: $format, input: $input) { ${JOB_FIELDS} } }`, { format, input }).then(
      (r) => startJob(r.exportDashboard),
      (e) => notify(e.message, { type: 'error' }),
    );
  const preset = (days: number) => {
    setFrom(day(new Date(today.getFullYear(), today.getMonth(), today.getDate() - days + 1)));
    setTo(day(today));
  };
  const none = translate('app.dashboard.none');
  const hidden = translate('app.message.hidden');
  const label = (r: { id: string | null; label: string | null }) => r.label ?? (r.id === null ? none : hidden);
  const hours = (m: number) => Math.round((m / 60) * 10) / 10;
  const f = (k: string) => translate(`app.dashboard.${k}`);
  const d = data;
  const stage = (d?.byStage ?? []).map((r: any) => ({ name: label(r), count: r.count }));
  const category = (d?.byCategory ?? []).map((r: any) => ({ id: r.id, name: label(r), count: r.count, hasChildren: r.hasChildren }));
  const workload = (rows: any[]) => rows.map((r) => ({ name: label(r), [f('open_short')]: r.open, [f('closed_short')]: r.closed }));
  const counts = (rows: any[]) => rows.map((r) => ({ name: label(r), count: r.count }));
  const minutes = (rows: any[]) => rows.map((r) => ({ name: label(r), [f('hours')]: hours(r.minutes) }));
  const timeline = (d?.timeline ?? []).map((r: any) => ({ name: formatDate(r.start, locale), [f('opened')]: r.opened, [f('closed_short')]: r.closed }));
  const bars = (rows: Record<string, unknown>[], key: string, color = PALETTE[0], onClick?: (i: number) => void, decimals = false) => (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" interval={0} tick={{ fontSize: 11 }} height={50} angle={-20} textAnchor="end" />
        <YAxis allowDecimals={decimals} tick={{ fontSize: 11 }} width={40} />
        <ChartTooltip formatter={(v) => nf.format(Number(v))} />
        <Bar dataKey={key} fill={color} isAnimationActive={false} cursor={onClick ? 'pointer' : undefined} onClick={onClick ? (_: unknown, i: number) => onClick(i) : undefined}>
          {onClick && rows.map((r: any, i) => <Cell key={i} fill={r.hasChildren ? PALETTE[1] : PALETTE[7]} />)}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
  const stacked = (rows: Record<string, unknown>[]) => (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" interval={0} tick={{ fontSize: 11 }} height={50} angle={-20} textAnchor="end" />
        <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
        <ChartTooltip />
        <Legend />
        <Bar dataKey={f('open_short')} stackId="a" fill={PALETTE[3]} isAnimationActive={false} />
        <Bar dataKey={f('closed_short')} stackId="a" fill={PALETTE[2]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
  return (
    <Box>
      <Grid container spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
        <Grid size={{ xs: 6, sm: 3, md: 2 }}>
          <TextField type="date" label={f('from')} value={from} onChange={(e) => setFrom(e.target.value)} size="small" fullWidth slotProps={{ inputLabel: { shrink: true } }} name="dashboardFrom" />
        </Grid>
        <Grid size={{ xs: 6, sm: 3, md: 2 }}>
          <TextField type="date" label={f('to')} value={to} onChange={(e) => setTo(e.target.value)} size="small" fullWidth slotProps={{ inputLabel: { shrink: true } }} name="dashboardTo" />
        </Grid>
        <Grid size={{ xs: 6, sm: 3, md: 2 }}>
          <TextField select label={f('granularity')} value={granularity} onChange={(e) => setGranularity(e.target.value as never)} size="small" fullWidth>
            <MenuItem value="DAY">{f('day')}</MenuItem>
            <MenuItem value="WEEK">{f('week')}</MenuItem>
            <MenuItem value="MONTH">{f('month')}</MenuItem>
          </TextField>
        </Grid>
        {HAS_DASHBOARD_EXPORT && (
          <Grid size={{ xs: 12, sm: 'auto' }} sx={{ order: { md: 2 }, ml: { md: 'auto' } }}>
            <ButtonGroup size="small" variant="outlined" aria-label={translate('ra.action.export')}>
              <Button startIcon={<PictureAsPdfIcon />} onClick={() => exportAs('PDF')}>
                {translate('app.action.export_pdf')}
              </Button>
              <Button startIcon={<TableViewIcon />} onClick={() => exportAs('XLSX')}>
                {translate('app.action.export_excel')}
              </Button>
            </ButtonGroup>
          </Grid>
        )}
        <Grid size={{ xs: 12, sm: 'auto' }}>
          <ButtonGroup size="small" variant="outlined" aria-label={f('range')}>
            <Button onClick={() => preset(1)}>{f('preset_today')}</Button>
            <Button onClick={() => preset(7)}>{f('last7')}</Button>
            <Button onClick={() => preset(30)}>{f('last30')}</Button>
            <Button onClick={() => preset(365)}>{f('last365')}</Button>
          </ButtonGroup>
        </Grid>
      </Grid>
      <Grid container spacing={2} sx={{ mb: 2 }}>
        <Grid size={{ xs: 6, md: 2.4 }}><Stat label={f('total')} value={d ? nf.format(d.totals.total) : '…'} testId="dashboard-total" /></Grid>
        <Grid size={{ xs: 6, md: 2.4 }}><Stat label={f('open_short')} value={d ? nf.format(d.totals.open) : '…'} /></Grid>
        <Grid size={{ xs: 6, md: 2.4 }}><Stat label={f('closed_short')} value={d ? nf.format(d.totals.closed) : '…'} /></Grid>
        <Grid size={{ xs: 6, md: 2.4 }}><Stat label={f('to_acceptance')} value={d?.totals.averageHoursToAcceptance != null ? `${nf.format(d.totals.averageHoursToAcceptance)} ${f('h')}` : '—'} /></Grid>
        <Grid size={{ xs: 12, md: 2.4 }}><Stat label={f('to_close')} value={d?.totals.averageHoursToClose != null ? `${nf.format(d.totals.averageHoursToClose)} ${f('h')}` : '—'} /></Grid>
      </Grid>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('timeline')} name="timeline" rows={timeline}>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={timeline} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="name" tick={{ fontSize: 11 }} />
                <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
                <ChartTooltip />
                <Legend />
                <Line dataKey={f('opened')} stroke={PALETTE[0]} dot={false} isAnimationActive={false} />
                <Line dataKey={f('closed_short')} stroke={PALETTE[2]} dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('by_stage')} name="by-stage" rows={stage}>{bars(stage, 'count')}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard
            title={f('by_category')}
            name="by-category"
            rows={category.map(({ name, count }: any) => ({ name, count }))}
            action={
              <Breadcrumbs sx={{ display: 'inline-flex', mr: 1, fontSize: 13 }} aria-label={f('by_category')}>
                <MuiLink component="button" onClick={() => setPath([])} underline="hover">
                  {f('all_categories')}
                </MuiLink>
                {path.map((p, i) => (
                  <MuiLink key={p.id} component="button" onClick={() => setPath(path.slice(0, i + 1))} underline="hover">
                    {p.label}
                  </MuiLink>
                ))}
              </Breadcrumbs>
            }
          >
            {bars(category, 'count', PALETTE[1], (i) => {
              const c = category[i];
              if (c?.hasChildren && c.id) setPath([...path, { id: c.id, label: c.name }]);
            })}
          </ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('by_assignee')} name="by-assignee" rows={workload(d?.byAssignee ?? [])}>{stacked(workload(d?.byAssignee ?? []))}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('by_team')} name="by-team" rows={workload(d?.byTeam ?? [])}>{stacked(workload(d?.byTeam ?? []))}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('top_accounts')} name="top-accounts" rows={counts(d?.topAccounts ?? [])}>{bars(counts(d?.topAccounts ?? []), 'count', PALETTE[5])}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('top_projects')} name="top-projects" rows={counts(d?.topProjects ?? [])}>{bars(counts(d?.topProjects ?? []), 'count', PALETTE[4])}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('time_by_user')} name="time-by-user" rows={minutes(d?.timeByUser ?? [])}>{bars(minutes(d?.timeByUser ?? []), f('hours'), PALETTE[0], undefined, true)}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('time_by_category')} name="time-by-category" rows={minutes(d?.timeByCategory ?? [])}>{bars(minutes(d?.timeByCategory ?? []), f('hours'), PALETTE[1], undefined, true)}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('time_by_project')} name="time-by-project" rows={minutes(d?.timeByProject ?? [])}>{bars(minutes(d?.timeByProject ?? []), f('hours'), PALETTE[4], undefined, true)}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('time_by_account')} name="time-by-account" rows={minutes(d?.timeByAccount ?? [])}>{bars(minutes(d?.timeByAccount ?? []), f('hours'), PALETTE[5], undefined, true)}</ChartCard>
        </Grid>
      </Grid>
    </Box>
  );
}

import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Box, Breadcrumbs, Button, ButtonGroup, Card, CardActionArea, CardContent, CardHeader, Chip, Grid, IconButton, Link as MuiLink, MenuItem, Stack, TextField, Tooltip, Typography } from '@mui/material';
import { Link, useNavigate } from 'react-router-dom';
import DownloadIcon from '@mui/icons-material/Download';
import ImageIcon from '@mui/icons-material/Image';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip as ChartTooltip, XAxis, YAxis, Cell } from 'recharts';
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
import { dayRange, listPath, nextDay, zoneToday } from './links';

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
function ChartCard({ title, rows, name, children, height = 260, action, period, below }: { title: string; rows: Record<string, unknown>[]; name: string; children: ReactNode; height?: number; action?: ReactNode; period: string; below?: ReactNode }) {
  const translate = useTranslate();
  const box = useRef<HTMLDivElement>(null);
  return (
    <Card variant="outlined" sx={{ height: '100%' }} data-testid={`chart-${name}`}>
      <CardHeader
        title={title}
        subheader={period}
        slotProps={{ title: { variant: 'subtitle1', component: 'h2', sx: { fontWeight: 600 } }, subheader: { variant: 'caption', 'data-testid': 'chart-period' } as never }}
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
        {below}
      </CardContent>
    </Card>
  );
}

function Stat({ label, value, testId, period, to }: { label: string; value: ReactNode; testId?: string; period: string; to?: string }) {
  const body = (
    <CardContent>
      <Typography variant="body2" color="text.secondary" noWrap title={label}>
        {label}
      </Typography>
      <Typography variant="h4" component="p" data-testid={testId}>
        {value}
      </Typography>
      <Typography variant="caption" color="text.secondary">
        {period}
      </Typography>
    </CardContent>
  );
  return (
    <Card variant="outlined" sx={{ height: '100%' }}>
      {to ? (
        <CardActionArea component={Link} to={to} sx={{ height: '100%' }}>
          {body}
        </CardActionArea>
      ) : (
        body
      )}
    </Card>
  );
}

/** The manager's dashboard: every aggregate of the API for a date range, live. */
export function Dashboard() {
  const translate = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const [locale] = useLocaleState();
  const nf = useMemo(() => new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 1 }), [locale]);
  // Today in the call center's zone (as the API counts days), whatever the browser's zone is.
  const today = new Date(`${zoneToday()}T00:00:00`);
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
  // Every count opens the application list that it counts: the applications opened in the range
  // (Istanbul days, as the API counts them), narrowed to the bar's stage, category, person...
  const range = dayRange(from, to);
  const opened = (extra: Record<string, unknown> = {}) => listPath({ applicationDate: range, ...extra });
  const open = (extra: Record<string, unknown>) => navigate(opened(extra));
  const period = translate('app.dashboard.period_range', { from: formatDate(from, locale), to: formatDate(to, locale) });
  const timePeriod = translate('app.dashboard.period_time', { from: formatDate(from, locale), to: formatDate(to, locale) });
  /** One period of the timeline, cut to the range (a week or month may start before it). */
  const periodRange = (start: string) => {
    const g = granularity;
    const first = start < from ? from : start;
    const after =
      g === 'DAY' ? nextDay(start) : g === 'WEEK' ? new Date(Date.parse(`${start}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10) : new Date(Date.UTC(Number(start.slice(0, 4)), Number(start.slice(5, 7)), 1)).toISOString().slice(0, 10);
    const lastDay = new Date(Date.parse(`${after}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    return dayRange(first, lastDay > to ? to : lastDay);
  };
  const stage = (d?.byStage ?? []).map((r: any) => ({ id: r.id, name: label(r), count: r.count }));
  const category = (d?.byCategory ?? []).map((r: any) => ({ id: r.id, name: label(r), count: r.count, hasChildren: r.hasChildren }));
  const workload = (rows: any[]) => rows.map((r) => ({ id: r.id, name: label(r), [f('open_short')]: r.open, [f('closed_short')]: r.closed }));
  const counts = (rows: any[]) => rows.map((r) => ({ id: r.id, name: label(r), count: r.count }));
  const minutes = (rows: any[]) => rows.map((r) => ({ name: label(r), [f('hours')]: hours(r.minutes) }));
  const timeline = (d?.timeline ?? []).map((r: any) => ({ start: r.start, name: formatDate(r.start, locale), [f('opened')]: r.opened, [f('closed_short')]: r.closed }));
  /** A bar's click: the list of its row (rows without an id, "none", have no list filter). */
  const by = (rows: any[], key: string, extra: Record<string, unknown> = {}) => (i: number) => {
    const id = rows[i]?.id;
    if (id) open({ [key]: [id], ...extra });
  };
  const bars = (rows: Record<string, unknown>[], key: string, color = PALETTE[0], onClick?: (i: number) => void, decimals = false) => (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" interval={0} tick={{ fontSize: 11 }} height={50} angle={-20} textAnchor="end" />
        <YAxis allowDecimals={decimals} tick={{ fontSize: 11 }} width={40} />
        <ChartTooltip formatter={(v) => nf.format(Number(v))} />
        <Bar dataKey={key} fill={color} isAnimationActive={false} cursor={onClick ? 'pointer' : undefined} onClick={onClick ? (_: unknown, i: number) => onClick(i) : undefined}>
          {rows.some((r: any) => r.hasChildren !== undefined) && rows.map((r: any, i) => <Cell key={i} fill={r.hasChildren ? PALETTE[1] : PALETTE[7]} />)}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
  const stacked = (rows: Record<string, unknown>[], key: string, clickable = true) => (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" interval={0} tick={{ fontSize: 11 }} height={50} angle={-20} textAnchor="end" />
        <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
        <ChartTooltip />
        <Legend />
        <Bar dataKey={f('open_short')} stackId="a" fill={PALETTE[3]} isAnimationActive={false} cursor={clickable ? 'pointer' : undefined} onClick={clickable ? (_: unknown, i: number) => by(rows, key, { closed: false })(i) : undefined} />
        <Bar dataKey={f('closed_short')} stackId="a" fill={PALETTE[2]} isAnimationActive={false} cursor={clickable ? 'pointer' : undefined} onClick={clickable ? (_: unknown, i: number) => by(rows, key, { closed: true })(i) : undefined} />
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
        <Grid size={{ xs: 6, md: 2.4 }}><Stat label={f('total')} value={d ? nf.format(d.totals.total) : '…'} testId="dashboard-total" period={period} to={opened()} /></Grid>
        <Grid size={{ xs: 6, md: 2.4 }}><Stat label={f('open_short')} value={d ? nf.format(d.totals.open) : '…'} period={period} to={opened({ closed: false })} /></Grid>
        <Grid size={{ xs: 6, md: 2.4 }}><Stat label={f('closed_short')} value={d ? nf.format(d.totals.closed) : '…'} period={period} to={opened({ closed: true })} /></Grid>
        <Grid size={{ xs: 6, md: 2.4 }}><Stat label={f('to_acceptance')} value={d?.totals.averageHoursToAcceptance != null ? `${nf.format(d.totals.averageHoursToAcceptance)} ${f('h')}` : '—'} period={period} /></Grid>
        <Grid size={{ xs: 12, md: 2.4 }}><Stat label={f('to_close')} value={d?.totals.averageHoursToClose != null ? `${nf.format(d.totals.averageHoursToClose)} ${f('h')}` : '—'} period={period} /></Grid>
      </Grid>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('timeline')} name="timeline" rows={timeline.map(({ start: _s, ...r }: any) => r)} period={`${period} · ${f(granularity.toLowerCase())}`}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={timeline} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="name" tick={{ fontSize: 11 }} />
                <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
                <ChartTooltip />
                <Legend />
                {/* Opened: by application date in the period; closed: by closing date in the period. */}
                <Bar dataKey={f('opened')} fill={PALETTE[0]} isAnimationActive={false} cursor="pointer" onClick={(_: unknown, i: number) => open({ applicationDate: periodRange(timeline[i].start) })} />
                <Bar dataKey={f('closed_short')} fill={PALETTE[2]} isAnimationActive={false} cursor="pointer" onClick={(_: unknown, i: number) => navigate(listPath({ closedAt: periodRange(timeline[i].start) }))} />
              </BarChart>
            </ResponsiveContainer>
          </ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('by_stage')} name="by-stage" rows={stage.map(({ id: _i, ...r }: any) => r)} period={period}>{bars(stage, 'count', PALETTE[0], by(stage, 'stageIds'))}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard
            title={f('by_category')}
            name="by-category"
            rows={category.map(({ name, count }: any) => ({ name, count }))}
            period={period}
            below={
              category.some((c: any) => c.hasChildren && c.id) && (
                <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', mt: 1, alignItems: 'center' }}>
                  <Typography variant="caption" color="text.secondary">
                    {f('drill_down')}:
                  </Typography>
                  {category
                    .filter((c: any) => c.hasChildren && c.id)
                    .map((c: any) => (
                      <Chip key={c.id} size="small" variant="outlined" label={`${c.name} ›`} onClick={() => setPath([...path, { id: c.id, label: c.name }])} />
                    ))}
                </Stack>
              )
            }
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
            {bars(category, 'count', PALETTE[1], by(category, 'categoryIds'))}
          </ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('by_assignee')} name="by-assignee" rows={workload(d?.byAssignee ?? []).map(({ id: _i, ...r }) => r)} period={period}>{stacked(workload(d?.byAssignee ?? []), 'assigneeUserIds')}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('by_team')} name="by-team" rows={workload(d?.byTeam ?? []).map(({ id: _i, ...r }) => r)} period={period}>{stacked(workload(d?.byTeam ?? []), 'assigneeTeamIds')}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('top_accounts')} name="top-accounts" rows={counts(d?.topAccounts ?? []).map(({ id: _i, ...r }) => r)} period={period}>{bars(counts(d?.topAccounts ?? []), 'count', PALETTE[5], by(counts(d?.topAccounts ?? []), 'applicantIds'))}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('top_projects')} name="top-projects" rows={counts(d?.topProjects ?? []).map(({ id: _i, ...r }) => r)} period={period}>{bars(counts(d?.topProjects ?? []), 'count', PALETTE[4], by(counts(d?.topProjects ?? []), 'projectIds'))}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('time_by_user')} name="time-by-user" period={timePeriod} rows={minutes(d?.timeByUser ?? [])}>{bars(minutes(d?.timeByUser ?? []), f('hours'), PALETTE[0], undefined, true)}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('time_by_category')} name="time-by-category" period={timePeriod} rows={minutes(d?.timeByCategory ?? [])}>{bars(minutes(d?.timeByCategory ?? []), f('hours'), PALETTE[1], undefined, true)}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('time_by_project')} name="time-by-project" period={timePeriod} rows={minutes(d?.timeByProject ?? [])}>{bars(minutes(d?.timeByProject ?? []), f('hours'), PALETTE[4], undefined, true)}</ChartCard>
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <ChartCard title={f('time_by_account')} name="time-by-account" period={timePeriod} rows={minutes(d?.timeByAccount ?? [])}>{bars(minutes(d?.timeByAccount ?? []), f('hours'), PALETTE[5], undefined, true)}</ChartCard>
        </Grid>
      </Grid>
    </Box>
  );
}

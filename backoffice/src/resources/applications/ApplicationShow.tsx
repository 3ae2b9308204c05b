import { useState, type ReactNode } from 'react';
import { Box, Card, CardContent, Chip, Divider, Grid, Link as MuiLink, Stack, Tab, Tabs, Table, TableBody, TableCell, TableHead, TableRow, Typography, Button } from '@mui/material';
import EditIcon from '@mui/icons-material/Edit';
import PrintIcon from '@mui/icons-material/Print';
import DownloadIcon from '@mui/icons-material/Download';
import { Link } from 'react-router-dom';
import { Loading, Show, useRecordContext, useCreatePath, useLocaleState, useNotify, useShowContext, useTranslate } from 'react-admin';
import { useQuery } from '@tanstack/react-query';
import { formatDate, useMinutes, NumberLocale } from '../../components/fields';
import { usePerm } from '../../components/usePerm';
import { download, gql } from '../../data/graphql';
import { APPLICATION_CHANGED, useSubscription } from '../../data/live';
import { APPLICATION_HISTORY, SIMILAR } from '../../data/documents';
import { AddFollowUpButton, AddTaskButton, AddTimeButton, AssignButton, ChangeStageButton, ConvertButton, LinkDocumentButton, UploadDocumentButton } from './actions';
import { ExportJobButtons } from '../../components/jobs';
import { HAS_MAIL, MailThread } from '../mail/mail';
import { useExtraLabels } from '../../components/ExtraFieldsInput';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="body2" component="div" sx={{ overflowWrap: 'anywhere' }}>
        {children || '—'}
      </Typography>
    </Box>
  );
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Typography variant="subtitle2" component="h2" gutterBottom sx={{ fontWeight: 600 }}>
          {title}
        </Typography>
        <Stack spacing={1}>{children}</Stack>
      </CardContent>
    </Card>
  );
}

function Empty() {
  const translate = useTranslate();
  return (
    <Typography variant="body2" color="text.secondary" sx={{ p: 2 }}>
      {translate('app.message.nothing')}
    </Typography>
  );
}

function SimpleTable({ head, rows }: { head: string[]; rows: ReactNode[][] }) {
  if (!rows.length) return <Empty />;
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Table size="small">
        <TableHead>
          <TableRow>
            {head.map((h) => (
              <TableCell key={h}>{h}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((r, i) => (
            <TableRow key={i}>
              {r.map((c, j) => (
                <TableCell key={j}>{c}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/** History entries that are not fields of the application (links are named by their type). */
const HISTORY_ENTRIES = ['created', 'archived', 'followUp', 'timeEntry', 'task', 'serviceRequest', 'opportunity', 'document', 'content', 'extra'];

/** The translation key of a history entry's field: `followUp#12` is an edited follow-up, `servicerequest` a link. */
export function historyKey(field: string): string {
  if (/^followUp#\d+$/.test(field)) return 'app.history.followUpEdited';
  const entry = HISTORY_ENTRIES.find((k) => k.toLowerCase() === field.toLowerCase());
  return entry ? `app.history.${entry}` : `resources.applications.fields.${field}`;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TIME_ENTRY = /^(\d+) min \((.*), (\d{4}-\d{2}-\d{2})\)$/;

function History({ id }: { id: string }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const minutes = useMinutes();
  // Values as the user writes them: dates in their format, time entries in hours and minutes.
  const value = (v: string | null) => {
    if (!v) return '';
    if (ISO.test(v)) return formatDate(v, locale, true);
    const t = TIME_ENTRY.exec(v);
    return t ? `${minutes(Number(t[1]))} (${t[2]}, ${formatDate(t[3], locale)})` : v;
  };
  const { data = [], isPending } = useQuery({ queryKey: ['applicationHistory', id], queryFn: () => gql(APPLICATION_HISTORY, { id }).then((d) => d.applicationHistory) });
  if (isPending) return <Loading />;
  return (
    <SimpleTable
      head={[translate('app.field.at'), translate('app.field.actor'), translate('app.field.change'), translate('app.field.old'), translate('app.field.new')]}
      rows={data.map((h: any) => [formatDate(h.at, locale, true), h.actor?.name ?? '', translate(historyKey(h.field)), value(h.oldValue), value(h.newValue)])}
    />
  );
}

function Similar({ id }: { id: string }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const createPath = useCreatePath();
  const { data = [], isPending } = useQuery({ queryKey: ['similarApplications', id], queryFn: () => gql(SIMILAR, { id }).then((d) => d.similarApplications) });
  if (isPending) return <Loading />;
  return (
    <SimpleTable
      head={[translate('resources.applications.fields.number'), translate('resources.applications.fields.subject'), translate('resources.applications.fields.stage'), translate('resources.applications.fields.applicationDate'), translate('app.field.similarity')]}
      rows={data.map((s: any) => [
        <MuiLink component={Link} to={createPath({ resource: 'applications', id: s.application.id, type: 'show' })}>
          {s.application.number}
        </MuiLink>,
        s.application.subject,
        s.application.stage?.name ?? '',
        formatDate(s.application.applicationDate, locale),
        `${Math.round(s.similarity * 100)} %`,
      ])}
    />
  );
}

function ApplicationDetail() {
  const { record, refetch, isPending } = useShowContext();
  const translate = useTranslate();
  const notify = useNotify();
  const [locale] = useLocaleState();
  const minutes = useMinutes();
  const createPath = useCreatePath();
  const { allowed } = usePerm();
  const [tab, setTab] = useState(0);
  const extras = useExtraLabels('APPLICATION');
  useSubscription(record ? APPLICATION_CHANGED : null, { id: record?.id }, (e: any) => {
    if (e?.applicationChanged?.application?.version !== record?.version) refetch();
  });
  if (isPending || !record || !record.followUps) return <Loading />;
  const done = () => void refetch();
  const f = (k: string) => translate(`resources.applications.fields.${k}`);
  const a = record.applicant;
  const link = (resource: string, id: string, text: ReactNode) => (
    <MuiLink component={Link} to={createPath({ resource, id, type: 'show' })}>
      {text}
    </MuiLink>
  );
  const hidden = <em>{translate('app.message.hidden')}</em>;
  const related = [
    ...record.serviceRequests.map((l: any) => [translate('resources.serviceRequests.name', { smart_count: 1 }), l.item ? link('serviceRequests', l.item.id, l.item.number) : hidden, l.item?.subject ?? '', l.item?.stage?.name ?? '']),
    ...record.opportunities.map((l: any) => [translate('resources.opportunities.name', { smart_count: 1 }), l.item ? link('opportunities', l.item.id, l.item.title) : hidden, l.item ? <NumberLocale value={l.item.expectedAmount} currency={l.item.currency} /> : '', l.item?.stage?.name ?? '']),
  ];
  const tabs: { label: string; body: ReactNode }[] = [
    {
      label: translate('app.tab.follow_ups', { count: record.followUps.length }),
      body: record.followUps.length ? (
        <Stack divider={<Divider />} spacing={1} sx={{ p: 2 }}>
          {record.followUps.map((fu: any) => (
            <Box key={fu.id}>
              <Typography variant="caption" color="text.secondary">
                {formatDate(fu.notedAt, locale, true)} · {fu.author?.name ?? ''}
              </Typography>
              <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
                {fu.text}
              </Typography>
            </Box>
          ))}
        </Stack>
      ) : (
        <Empty />
      ),
    },
    {
      label: translate('app.tab.time', { count: record.timeEntries.length }),
      body: <SimpleTable head={[translate('app.field.date'), translate('app.field.user'), translate('app.field.minutes'), translate('app.field.note')]} rows={record.timeEntries.map((t: any) => [formatDate(t.date, locale), t.user?.name ?? '', minutes(t.minutes), t.note ?? ''])} />,
    },
    {
      label: translate('app.tab.documents', { count: record.documents.length }),
      body: (
        <SimpleTable
          head={[translate('resources.documents.fields.name'), translate('resources.documents.fields.mimeType'), translate('resources.documents.fields.size'), translate('resources.documents.fields.createdAt'), '']}
          rows={record.documents.map((l: any) =>
            l.item
              ? [
                  l.item.name,
                  l.item.mimeType,
                  `${Math.ceil(l.item.size / 1024)} KB`,
                  formatDate(l.item.createdAt, locale, true),
                  <Button size="small" startIcon={<DownloadIcon />} onClick={() => download(l.item.downloadUrl, l.item.fileName).catch((e) => notify(e.message, { type: 'error' }))}>
                    {translate('app.action.download')}
                  </Button>,
                ]
              : [hidden, '', '', '', ''],
          )}
        />
      ),
    },
    {
      label: translate('app.tab.tasks', { count: record.tasks.length }),
      body: (
        <SimpleTable
          head={[translate('resources.tasks.fields.title'), translate('resources.tasks.fields.status'), translate('resources.tasks.fields.assignee'), translate('resources.tasks.fields.dueAt')]}
          rows={record.tasks.map((l: any) => (l.item ? [link('tasks', l.item.id, l.item.title), translate(`app.status.${l.item.status}`), l.item.assignee?.name ?? '', formatDate(l.item.dueAt, locale)] : [hidden, '', '', '']))}
        />
      ),
    },
    { label: translate('app.tab.related', { count: related.length }), body: <SimpleTable head={['', translate('resources.applications.fields.number'), '', translate('resources.applications.fields.stage')]} rows={related} /> },
    ...(HAS_MAIL ? [{ label: translate('app.tab.mail'), body: <MailThread applicationId={record.id} canReply={allowed('addFollowUp', 'Application')} done={done} /> }] : []),
    { label: translate('app.tab.similar'), body: <Similar id={record.id} /> },
    { label: translate('app.tab.history'), body: <History id={record.id} /> },
  ];
  return (
    <Box sx={{ mt: 1 }}>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={1} sx={{ alignItems: { md: 'center' }, mb: 1, justifyContent: 'space-between' }}>
        <Box>
          <Typography variant="h5" component="h1">
            {record.number} · {record.subject}
          </Typography>
          <Stack direction="row" spacing={1} sx={{ mt: 0.5 }}>
            {record.stage && <Chip size="small" label={record.stage.name} sx={{ bgcolor: record.stage.color ?? undefined, color: record.stage.color ? '#fff' : undefined }} data-testid="stage-chip" />}
            {record.priority && <Chip size="small" variant="outlined" label={record.priority.name} />}
            {record.closedAt && <Chip size="small" label={`${f('closedAt')}: ${formatDate(record.closedAt, locale)}`} />}
          </Stack>
        </Box>
        <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap', rowGap: 0.5 }} role="toolbar" aria-label={translate('ra.action.edit')}>
          {allowed('addFollowUp', 'Application') && <AddFollowUpButton record={record} done={done} />}
          {allowed('addTime', 'Application') && <AddTimeButton record={record} done={done} />}
          {allowed('changeStage', 'Application') && !record.archivedAt && <ChangeStageButton record={record} done={done} />}
          {allowed('assign', 'Application') && <AssignButton record={record} done={done} />}
          <ConvertButton record={record} done={done} canSR={allowed('create', 'ServiceRequest')} canOpp={allowed('create', 'Opportunity')} />
          {allowed('update', 'Application') && <UploadDocumentButton record={record} done={done} />}
          {allowed('update', 'Application') && <LinkDocumentButton record={record} done={done} />}
          {allowed('create', 'Task') && <AddTaskButton record={record} done={done} />}
          {allowed('update', 'Application') && (
            <Button component={Link} to={createPath({ resource: 'applications', id: record.id, type: 'edit' })} startIcon={<EditIcon />}>
              {translate('ra.action.edit')}
            </Button>
          )}
          <ExportJobButtons kind="one" id={record.id} />
          <Button startIcon={<PrintIcon />} onClick={() => window.print()}>
            {translate('app.action.print')}
          </Button>
        </Stack>
      </Stack>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 8 }}>
          <Card variant="outlined" sx={{ mb: 2 }}>
            <CardContent>
              <Grid container spacing={2}>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('applicationDate')}>{formatDate(record.applicationDate, locale, true)}</Field></Grid>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('category')}>{[record.category?.name, record.subcategory?.name, record.treeCategory?.name].filter(Boolean).join(' › ')}</Field></Grid>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('assignee')}>{record.assigneeEveryone ? translate('app.field.everyone') : [record.assigneeUser?.name, record.assigneeTeam?.name].filter(Boolean).join(' · ') || translate('app.field.unassigned')}</Field></Grid>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('channel')}>{record.channel?.name}</Field></Grid>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('responsible')}>{record.responsible?.name}</Field></Grid>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('reporter')}>{record.reporter ? [record.reporter.fullName, record.reporter.phone].filter(Boolean).join(' · ') : ''}</Field></Grid>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('project')}>{record.project?.name}</Field></Grid>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('campaign')}>{record.campaign?.name}</Field></Grid>
                <Grid size={{ xs: 6, sm: 4 }}><Field label={f('referenceNo')}>{record.referenceNo}</Field></Grid>
                {extras(record.extra).map((x) => (
                  <Grid key={x.key} size={{ xs: 6, sm: 4 }}>
                    <Field label={x.label}>{typeof x.value === 'boolean' ? translate(x.value ? 'ra.boolean.true' : 'ra.boolean.false') : x.value}</Field>
                  </Grid>
                ))}
                <Grid size={{ xs: 12 }}>
                  <Field label={f('detail')}>
                    <Box component="span" sx={{ whiteSpace: 'pre-wrap' }}>{record.detail}</Box>
                  </Field>
                </Grid>
              </Grid>
            </CardContent>
          </Card>
          <Card variant="outlined">
            <Tabs value={tab} onChange={(_, v) => setTab(v)} variant="scrollable" scrollButtons="auto" aria-label={translate('app.tab.summary')}>
              {tabs.map((t, i) => (
                <Tab key={i} label={t.label} id={`app-tab-${i}`} aria-controls={`app-tabpanel-${i}`} />
              ))}
            </Tabs>
            <Divider />
            <Box role="tabpanel" id={`app-tabpanel-${tab}`} aria-labelledby={`app-tab-${tab}`}>
              {tabs[tab].body}
            </Box>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <Panel title={translate('app.panel.applicant')}>
            {a ? (
              <>
                <Field label={f('applicant')}>{link('accounts', a.id, a.name)}</Field>
                <Field label={translate('resources.accounts.fields.kind')}>{translate(`app.kind.${a.kind}`)}</Field>
                <Field label={translate('resources.accounts.fields.phones')}>{a.phones.join(', ')}</Field>
                <Field label={translate('resources.accounts.fields.emails')}>{a.emails.join(', ')}</Field>
                <Field label={translate('resources.accounts.fields.city')}>{[a.district, a.city].filter(Boolean).join(' / ')}</Field>
                <Field label={translate('resources.accounts.fields.region')}>{a.region?.name}</Field>
              </>
            ) : (
              hidden
            )}
          </Panel>
          <Panel title={translate('app.panel.subscription')}>
            {record.subscription ? (
              <>
                <Field label={translate('resources.subscriptions.fields.number')}>{[record.subscription.number, record.subscription.name].filter(Boolean).join(' · ')}</Field>
                <Field label={translate('resources.subscriptions.fields.address')}>{record.subscription.address}</Field>
                <Field label={translate('resources.subscriptions.fields.startDate')}>
                  {[formatDate(record.subscription.startDate, locale), formatDate(record.subscription.endDate, locale)].filter(Boolean).join(' – ')}
                </Field>
                <Field label={translate('resources.subscriptions.fields.timeSpentMinutes')}>{minutes(record.subscription.timeSpentMinutes)}</Field>
              </>
            ) : (
              <Typography variant="body2" color="text.secondary">{translate('app.panel.no_subscription')}</Typography>
            )}
          </Panel>
          <Panel title={translate('app.panel.summary')}>
            <Field label={f('timeSpentMinutes')}>{minutes(record.timeSpentMinutes)}</Field>
            {a && (
              <>
                <Field label={translate('resources.accounts.fields.openApplicationCount')}>{`${a.openApplicationCount} / ${a.applicationCount}`}</Field>
                <Field label={translate('resources.accounts.fields.openServiceRequestCount')}>{a.openServiceRequestCount}</Field>
                <Field label={translate('app.field.open_opportunities')}>
                  {a.openOpportunities.length
                    ? a.openOpportunities.map((o: any) => (
                        <div key={o.id}>
                          {o.title} · <NumberLocale value={o.expectedAmount} currency={o.currency} />
                        </div>
                      ))
                    : '0'}
                </Field>
                <Field label={translate('app.field.account_time')}>{minutes(a.timeSpentMinutes)}</Field>
              </>
            )}
          </Panel>
        </Grid>
      </Grid>
    </Box>
  );
}

function ApplicationTitle() {
  const record = useRecordContext();
  const translate = useTranslate();
  return <span>{translate('resources.applications.name', { smart_count: 1 })} {record?.number ?? ''}</span>;
}

export function ApplicationShow() {
  return (
    <Show actions={false} component="div" title={<ApplicationTitle />}>
      <ApplicationDetail />
    </Show>
  );
}

import { useState, type ReactNode } from 'react';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  ListItemIcon,
  ListItemText,
  Menu,
  MenuItem,
  TextField,
  Box,
  Autocomplete,
  CircularProgress,
} from '@mui/material';
import CommentIcon from '@mui/icons-material/AddComment';
import TimerIcon from '@mui/icons-material/MoreTime';
import LinearScaleIcon from '@mui/icons-material/LinearScale';
import PersonAddIcon from '@mui/icons-material/PersonAdd';
import TransformIcon from '@mui/icons-material/Transform';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import CircleIcon from '@mui/icons-material/Circle';
import LinkIcon from '@mui/icons-material/Link';
import AddTaskIcon from '@mui/icons-material/AddTask';
import { useGetList, useNotify, useTranslate } from 'react-admin';
import { gql, isConflict, upload } from '../../data/graphql';
import { ADD_FOLLOW_UP, ADD_TASK, ADD_TIME, ASSIGN, CHANGE_STAGE, LINK_DOCUMENT, TO_OPPORTUNITY, TO_SERVICE_REQUEST } from '../../data/documents';
import { trCollator } from '../../i18n';

interface ActionProps {
  record: any;
  done: () => void;
}

/** Runs a mutation; a version conflict refreshes the record and says so, other errors are shown. */
function useRun(done: () => void) {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>, success: string, args?: Record<string, unknown>) => {
    setBusy(true);
    try {
      await fn();
      notify(success, { type: 'success', messageArgs: args });
      done();
      return true;
    } catch (err: any) {
      if (isConflict(err)) {
        notify('app.message.changed_elsewhere', { type: 'warning' });
        done();
      } else notify(err?.message ?? 'ra.notification.http_error', { type: 'error' });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy };
}

function FormDialog(props: { open: boolean; title: string; onClose: () => void; onSubmit: () => void; busy: boolean; disabled?: boolean; children: ReactNode; id: string }) {
  const translate = useTranslate();
  return (
    <Dialog open={props.open} onClose={props.onClose} aria-labelledby={`${props.id}-title`} fullWidth maxWidth="sm">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit();
        }}
      >
        <DialogTitle id={`${props.id}-title`}>{props.title}</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>{props.children}</DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>{translate('ra.action.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={props.busy || props.disabled} startIcon={props.busy ? <CircularProgress size={16} /> : undefined}>
            {translate('ra.action.save')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

export function AddFollowUpButton({ record, done }: ActionProps) {
  const translate = useTranslate();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const { run, busy } = useRun(done);
  return (
    <>
      <Button startIcon={<CommentIcon />} onClick={() => setOpen(true)}>
        {translate('app.action.add_follow_up')}
      </Button>
      <FormDialog
        id="follow-up"
        open={open}
        busy={busy}
        disabled={!text.trim()}
        title={translate('app.action.add_follow_up')}
        onClose={() => setOpen(false)}
        onSubmit={async () => {
          if (await run(() => gql(ADD_FOLLOW_UP, { id: record.id, input: { text } }), 'app.message.follow_up_added')) {
            setOpen(false);
            setText('');
          }
        }}
      >
        <TextField label={translate('app.field.text')} value={text} onChange={(e) => setText(e.target.value)} multiline minRows={4} autoFocus required name="followUpText" />
      </FormDialog>
    </>
  );
}

export function AddTimeButton({ record, done }: ActionProps) {
  const translate = useTranslate();
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState('15');
  const [date, setDate] = useState(() => new Date().toLocaleDateString('sv-SE'));
  const [note, setNote] = useState('');
  const { run, busy } = useRun(done);
  return (
    <>
      <Button startIcon={<TimerIcon />} onClick={() => setOpen(true)}>
        {translate('app.action.add_time')}
      </Button>
      <FormDialog
        id="time"
        open={open}
        busy={busy}
        disabled={!(Number(minutes) > 0)}
        title={translate('app.action.add_time')}
        onClose={() => setOpen(false)}
        onSubmit={async () => {
          if (await run(() => gql(ADD_TIME, { id: record.id, input: { minutes: Number(minutes), date, note: note || undefined } }), 'app.message.time_added')) setOpen(false);
        }}
      >
        <TextField type="number" label={translate('app.field.minutes')} value={minutes} onChange={(e) => setMinutes(e.target.value)} slotProps={{ htmlInput: { min: 1, max: 1440 } }} autoFocus required name="minutes" />
        <TextField type="date" label={translate('app.field.date')} value={date} onChange={(e) => setDate(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} name="date" />
        <TextField label={translate('app.field.note')} value={note} onChange={(e) => setNote(e.target.value)} multiline minRows={2} name="note" />
      </FormDialog>
    </>
  );
}

/** Offers only the stages the current one may move to (all active ones when none is declared). */
export function ChangeStageButton({ record, done }: ActionProps) {
  const translate = useTranslate();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [target, setTarget] = useState<any>(null);
  const [note, setNote] = useState('');
  const { data: stages = [] } = useGetList('processStages', { pagination: { page: 1, perPage: 200 }, sort: { field: 'sortOrder', order: 'ASC' }, filter: { active: true } });
  const { run, busy } = useRun(done);
  const declared: any[] = record.stage?.allowedNext ?? [];
  const options = (declared.length ? declared : stages).filter((s: any) => String(s.id) !== String(record.stage?.id));
  return (
    <>
      <Button startIcon={<LinearScaleIcon />} onClick={(e) => setAnchor(e.currentTarget)} aria-haspopup="menu" aria-controls={anchor ? 'stage-menu' : undefined}>
        {translate('app.action.change_stage')}
      </Button>
      <Menu id="stage-menu" anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        {options.length === 0 && <MenuItem disabled>{translate('app.message.no_transitions')}</MenuItem>}
        {options.map((s: any) => (
          <MenuItem
            key={s.id}
            onClick={() => {
              setAnchor(null);
              setTarget(s);
            }}
          >
            <ListItemIcon>
              <CircleIcon fontSize="small" sx={{ color: s.color ?? 'grey.500' }} />
            </ListItemIcon>
            <ListItemText>{s.name}</ListItemText>
          </MenuItem>
        ))}
      </Menu>
      <FormDialog
        id="stage"
        open={!!target}
        busy={busy}
        title={`${translate('app.action.change_stage')}: ${record.stage?.name ?? ''} → ${target?.name ?? ''}`}
        onClose={() => setTarget(null)}
        onSubmit={async () => {
          if (await run(() => gql(CHANGE_STAGE, { id: record.id, stageId: target.id, version: record.version, note: note || undefined }), 'app.message.stage_changed')) {
            setTarget(null);
            setNote('');
          } else setTarget(null);
        }}
      >
        <TextField label={translate('app.field.stage_note')} value={note} onChange={(e) => setNote(e.target.value)} multiline minRows={2} autoFocus name="stageNote" />
      </FormDialog>
    </>
  );
}

function Picker(props: { resource: string; label: string; value: any; onChange: (v: any) => void; filter?: Record<string, unknown>; name: string }) {
  const { data = [], isPending } = useGetList(props.resource, { pagination: { page: 1, perPage: 500 }, sort: { field: 'name', order: 'ASC' }, filter: props.filter ?? {} });
  const options = [...data].sort((a: any, b: any) => trCollator.compare(a.name, b.name));
  return (
    <Autocomplete
      options={options}
      loading={isPending}
      value={options.find((o: any) => String(o.id) === String(props.value)) ?? null}
      getOptionLabel={(o: any) => o.name}
      isOptionEqualToValue={(a: any, b: any) => String(a.id) === String(b.id)}
      onChange={(_, v: any) => props.onChange(v?.id ?? null)}
      renderInput={(params) => <TextField {...params} label={props.label} name={props.name} />}
    />
  );
}

export function AssignButton({ record, done }: ActionProps) {
  const translate = useTranslate();
  const [open, setOpen] = useState(false);
  const [userId, setUserId] = useState<string | null>(record.assigneeUser?.id ?? null);
  const [teamId, setTeamId] = useState<string | null>(record.assigneeTeam?.id ?? null);
  const [everyone, setEveryone] = useState<boolean>(!!record.assigneeEveryone);
  const { run, busy } = useRun(done);
  return (
    <>
      <Button startIcon={<PersonAddIcon />} onClick={() => setOpen(true)}>
        {translate('app.action.assign')}
      </Button>
      <FormDialog
        id="assign"
        open={open}
        busy={busy}
        title={translate('app.action.assign')}
        onClose={() => setOpen(false)}
        onSubmit={async () => {
          await run(() => gql(ASSIGN, { id: record.id, version: record.version, input: everyone ? { everyone: true } : { userId, teamId } }), 'app.message.assigned');
          setOpen(false);
        }}
      >
        <FormControlLabel control={<Checkbox checked={everyone} onChange={(e) => setEveryone(e.target.checked)} />} label={translate('resources.applications.fields.assignEveryone')} />
        {!everyone && (
          <>
            <Picker resource="users" name="assigneeUser" label={translate('resources.applications.fields.assigneeUser')} value={userId} onChange={setUserId} filter={{ active: true }} />
            <Picker resource="teams" name="assigneeTeam" label={translate('resources.applications.fields.assigneeTeam')} value={teamId} onChange={setTeamId} />
          </>
        )}
      </FormDialog>
    </>
  );
}

export function ConvertButton({ record, done, canSR, canOpp }: ActionProps & { canSR: boolean; canOpp: boolean }) {
  const translate = useTranslate();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [mode, setMode] = useState<'sr' | 'opp' | null>(null);
  const [subject, setSubject] = useState(record.subject);
  const [amount, setAmount] = useState('');
  const [key] = useState(() => crypto.randomUUID());
  const { run, busy } = useRun(done);
  if (!canSR && !canOpp) return null;
  return (
    <>
      <Button startIcon={<TransformIcon />} onClick={(e) => setAnchor(e.currentTarget)} aria-haspopup="menu">
        {translate('app.action.convert')}
      </Button>
      <Menu anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        {canSR && <MenuItem onClick={() => (setAnchor(null), setMode('sr'))}>{translate('app.action.to_service_request')}</MenuItem>}
        {canOpp && <MenuItem onClick={() => (setAnchor(null), setMode('opp'))}>{translate('app.action.to_opportunity')}</MenuItem>}
      </Menu>
      <FormDialog
        id="convert"
        open={!!mode}
        busy={busy}
        title={translate(mode === 'sr' ? 'app.action.to_service_request' : 'app.action.to_opportunity')}
        onClose={() => setMode(null)}
        onSubmit={async () => {
          const ok =
            mode === 'sr'
              ? await run(() => gql(TO_SERVICE_REQUEST, { id: record.id, key: `${key}-sr`, input: { subject } }), 'app.message.converted', { what: translate('resources.serviceRequests.name', { smart_count: 1 }) })
              : await run(
                  () => gql(TO_OPPORTUNITY, { id: record.id, key: `${key}-opp`, input: { title: subject, expectedAmount: amount ? Number(amount) : undefined } }),
                  'app.message.converted',
                  { what: translate('resources.opportunities.name', { smart_count: 1 }) },
                );
          if (ok) setMode(null);
        }}
      >
        <TextField label={translate(mode === 'sr' ? 'resources.serviceRequests.fields.subject' : 'resources.opportunities.fields.title')} value={subject} onChange={(e) => setSubject(e.target.value)} autoFocus name="convertSubject" />
        {mode === 'opp' && <TextField type="number" label={translate('resources.opportunities.fields.expectedAmount')} value={amount} onChange={(e) => setAmount(e.target.value)} name="expectedAmount" />}
      </FormDialog>
    </>
  );
}

export function UploadDocumentButton({ record, done }: ActionProps) {
  const translate = useTranslate();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  return (
    <Button component="label" startIcon={busy ? <CircularProgress size={16} /> : <UploadFileIcon />} disabled={busy}>
      {translate('app.action.upload_document')}
      <Box
        component="input"
        type="file"
        name="document"
        aria-label={translate('app.action.upload_document')}
        sx={{ position: 'absolute', width: 1, height: 1, opacity: 0, overflow: 'hidden' }}
        onChange={async (e: React.ChangeEvent<HTMLInputElement>) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!file) return;
          setBusy(true);
          try {
            await upload(`/applications/${record.id}/documents`, file);
            notify('app.message.uploaded', { type: 'success' });
            done();
          } catch (err: any) {
            notify(err?.message ?? 'ra.notification.http_error', { type: 'error' });
          } finally {
            setBusy(false);
          }
        }}
      />
    </Button>
  );
}

export function LinkDocumentButton({ record, done }: ActionProps) {
  const translate = useTranslate();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [doc, setDoc] = useState<any>(null);
  const { run, busy } = useRun(done);
  const { data = [], isPending } = useGetList('documents', { pagination: { page: 1, perPage: 20 }, sort: { field: 'createdAt', order: 'DESC' }, filter: q ? { q } : {} }, { enabled: open });
  return (
    <>
      <Button startIcon={<LinkIcon />} onClick={() => setOpen(true)}>
        {translate('app.action.link_document')}
      </Button>
      <FormDialog
        id="link-document"
        open={open}
        busy={busy}
        disabled={!doc}
        title={translate('app.action.link_document')}
        onClose={() => setOpen(false)}
        onSubmit={async () => {
          if (await run(() => gql(LINK_DOCUMENT, { id: record.id, documentId: doc.id }), 'app.message.linked')) setOpen(false);
        }}
      >
        <Autocomplete
          options={data}
          loading={isPending}
          value={doc}
          filterOptions={(x) => x}
          onInputChange={(_, v) => setQ(v)}
          onChange={(_, v) => setDoc(v)}
          getOptionLabel={(o: any) => `${o.name}${o.folder ? ` (${o.folder})` : ''}`}
          isOptionEqualToValue={(a: any, b: any) => String(a.id) === String(b.id)}
          renderInput={(params) => <TextField {...params} label={translate('resources.documents.name', { smart_count: 1 })} name="documentSearch" autoFocus />}
        />
      </FormDialog>
    </>
  );
}

export function AddTaskButton({ record, done }: ActionProps) {
  const translate = useTranslate();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [dueAt, setDueAt] = useState('');
  const [assigneeId, setAssigneeId] = useState<string | null>(null);
  const [key, setKey] = useState(() => crypto.randomUUID());
  const { run, busy } = useRun(done);
  return (
    <>
      <Button startIcon={<AddTaskIcon />} onClick={() => setOpen(true)}>
        {translate('app.action.add_task')}
      </Button>
      <FormDialog
        id="add-task"
        open={open}
        busy={busy}
        disabled={!title.trim()}
        title={translate('app.action.add_task')}
        onClose={() => setOpen(false)}
        onSubmit={async () => {
          const input = { title, dueAt: dueAt ? new Date(dueAt).toISOString() : undefined, assigneeId: assigneeId ?? undefined };
          if (await run(() => gql(ADD_TASK, { id: record.id, key, input }), 'app.message.task_added')) {
            setOpen(false);
            setTitle('');
            setKey(crypto.randomUUID());
          }
        }}
      >
        <TextField label={translate('resources.tasks.fields.title')} value={title} onChange={(e) => setTitle(e.target.value)} autoFocus required name="taskTitle" />
        <TextField type="datetime-local" label={translate('resources.tasks.fields.dueAt')} value={dueAt} onChange={(e) => setDueAt(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} name="taskDueAt" />
        <Picker resource="users" name="taskAssignee" label={translate('resources.tasks.fields.assignee')} value={assigneeId} onChange={setAssigneeId} filter={{ active: true }} />
      </FormDialog>
    </>
  );
}

import { useState } from 'react';
import { Box, Button, Card, CardContent, Chip, Stack, TextField, Typography } from '@mui/material';
import MailIcon from '@mui/icons-material/Mail';
import NetworkCheckIcon from '@mui/icons-material/NetworkCheck';
import ReplyIcon from '@mui/icons-material/Reply';
import { FunctionField, Loading, Title, useLocaleState, useNotify, useRecordContext, useTranslate } from 'react-admin';
import { useQuery } from '@tanstack/react-query';
import { gql } from '../../data/graphql';
import { rootField } from '../../data/schema';
import { formatDate } from '../../components/fields';
import { simpleResource, type FieldSpec } from '../simple';

/** The e-mail screens exist when the committed schema has the mail module. */
export const HAS_MAIL = !!rootField('Query', 'mailboxes');

function TestConnectionButton() {
  const record = useRecordContext();
  const translate = useTranslate();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  if (!record) return null;
  return (
    <Button
      size="small"
      startIcon={<NetworkCheckIcon />}
      disabled={busy}
      onClick={async (e) => {
        e.stopPropagation();
        setBusy(true);
        try {
          const d = await gql('mutation($id: ID!) { testMailboxConnection(id: $id) { ok stage message } }', { id: record.id });
          const r = d.testMailboxConnection;
          notify(r.ok ? 'app.mail.test_ok' : 'app.mail.test_failed', { type: r.ok ? 'success' : 'error', messageArgs: { step: r.stage, message: r.message } });
        } catch (err: any) {
          notify(err.message, { type: 'error' });
        } finally {
          setBusy(false);
        }
      }}
    >
      {translate('app.mail.test')}
    </Button>
  );
}

const ref = (source: string, reference: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ source, kind: 'ref', reference, list: false, ...extra });

export const mailboxes = simpleResource({
  name: 'mailboxes',
  icon: MailIcon,
  fields: [
    { source: 'name', required: true },
    { source: 'fromAddress', required: true },
    { source: 'fromName', required: true, list: false },
    { source: 'imapHost', required: true, list: false },
    { source: 'imapPort', kind: 'int', required: true, list: false, defaultValue: 993 },
    { source: 'imapTls', kind: 'bool', list: false, defaultValue: true },
    { source: 'imapUser', required: true, list: false },
    { source: 'imapPassword', kind: 'password', list: false },
    { source: 'folder', list: false, defaultValue: 'INBOX' },
    { source: 'smtpHost', required: true, list: false },
    { source: 'smtpPort', kind: 'int', required: true, list: false, defaultValue: 465 },
    { source: 'smtpTls', kind: 'bool', list: false, defaultValue: true },
    { source: 'smtpUser', list: false },
    { source: 'smtpPassword', kind: 'password', list: false },
    ref('defaultCategoryId', 'categories', { required: true }),
    ref('defaultPriorityId', 'priorities'),
    ref('defaultTeamId', 'teams'),
    { source: 'reopenClosed', kind: 'bool', list: false },
    { source: 'sendAcknowledgement', kind: 'bool', list: false },
    { source: 'active', kind: 'bool', defaultValue: true },
    { source: 'lastSyncAt', kind: 'datetime', readOnly: true },
    { source: 'backlog', kind: 'int', readOnly: true },
    { source: 'quarantined', kind: 'int', readOnly: true },
    { source: 'processed', kind: 'int', readOnly: true },
    { source: 'outgoingPending', kind: 'int', readOnly: true },
    { source: 'lastError', readOnly: true },
  ],
  extraColumns: [<FunctionField key="test" label="" render={() => <TestConnectionButton />} />],
});

/** Mail that could not be processed: look at it, process it again, or drop it. */
export function Quarantine() {
  const translate = useTranslate();
  const notify = useNotify();
  const { data, isPending, refetch } = useQuery({
    queryKey: ['quarantinedMail'],
    queryFn: () => gql('{ quarantinedMail { id subject fromAddress error size mailboxId kind status uid } }').then((d) => d.quarantinedMail),
  });
  const act = (mutation: string, id: string) =>
    gql(`mutation($id: ID!) { ${mutation}(id: $id) { id status } }`, { id }).then(
      () => {
        notify('app.mail.done', { type: 'success' });
        refetch();
      },
      (e) => notify(e.message, { type: 'error' }),
    );
  return (
    <Box sx={{ mt: 2 }}>
      <Title title={translate('app.mail.quarantine')} />
      {isPending ? (
        <Loading />
      ) : !data?.length ? (
        <Typography sx={{ p: 2 }}>{translate('app.message.nothing')}</Typography>
      ) : (
        <Stack spacing={1}>
          {data.map((m: any) => (
            <Card key={m.id} variant="outlined">
              <CardContent>
                <Typography variant="subtitle1">{m.subject ?? '—'}</Typography>
                <Typography variant="body2" color="text.secondary">
                  {m.fromAddress} · {m.size ? `${Math.ceil(m.size / 1024)} KB` : ''}
                </Typography>
                <Typography variant="body2" color="error" sx={{ my: 1 }}>
                  {m.error}
                </Typography>
                <Button size="small" onClick={() => act('retryQuarantinedMail', m.id)}>
                  {translate('app.mail.retry')}
                </Button>
                <Button size="small" color="error" onClick={() => act('discardQuarantinedMail', m.id)}>
                  {translate('app.mail.discard')}
                </Button>
              </CardContent>
            </Card>
          ))}
        </Stack>
      )}
    </Box>
  );
}

/** The application's mail thread, and an answer to the customer by e-mail. */
export function MailThread({ applicationId, canReply, done }: { applicationId: string; canReply: boolean; done: () => void }) {
  const translate = useTranslate();
  const notify = useNotify();
  const [locale] = useLocaleState();
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const { data = [], isPending, refetch } = useQuery({
    queryKey: ['applicationMail', applicationId],
    queryFn: () => gql('query($id: ID!) { applicationMail(applicationId: $id) { id direction kind subject fromAddress toAddress status sentAt error } }', { id: applicationId }).then((d) => d.applicationMail),
  });
  if (isPending) return <Loading />;
  return (
    <Box sx={{ p: 2 }}>
      <Stack spacing={1}>
        {data.length === 0 && <Typography variant="body2" color="text.secondary">{translate('app.message.nothing')}</Typography>}
        {data.map((m: any) => (
          <Box key={m.id}>
            <Typography variant="caption" color="text.secondary">
              {formatDate(m.sentAt, locale, true)} · {m.fromAddress} → {m.toAddress}
            </Typography>
            <Typography variant="body2">
              {m.subject} <Chip size="small" label={translate(`app.mail.direction.${m.direction}`, { _: m.direction })} sx={{ ml: 1 }} />
            </Typography>
          </Box>
        ))}
      </Stack>
      {canReply && (
        <Box sx={{ mt: 2 }}>
          <TextField label={translate('app.mail.reply')} value={body} onChange={(e) => setBody(e.target.value)} multiline minRows={3} fullWidth name="mailReply" />
          <Button
            sx={{ mt: 1 }}
            variant="contained"
            startIcon={<ReplyIcon />}
            disabled={!body.trim() || busy}
            onClick={async () => {
              setBusy(true);
              try {
                await gql('mutation($id: ID!, $body: String!) { replyToApplication(applicationId: $id, body: $body) { id } }', { id: applicationId, body });
                setBody('');
                notify('app.mail.sent', { type: 'success' });
                refetch();
                done();
              } catch (e: any) {
                notify(e.message, { type: 'error' });
              } finally {
                setBusy(false);
              }
            }}
          >
            {translate('app.mail.send')}
          </Button>
        </Box>
      )}
    </Box>
  );
}

import { useState } from 'react';
import { useWatch, useFormContext } from 'react-hook-form';
import { ExtraFieldsInput } from '../../components/ExtraFieldsInput';
import { Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Grid, MenuItem, TextField as MuiTextField, Typography } from '@mui/material';
import {
  AutocompleteInput,
  Create,
  ReferenceInput,
  SaveButton,
  SelectInput,
  SimpleForm,
  TextInput,
  Toolbar,
  required,
  useCreate,
  useGetIdentity,
  useCreateSuggestionContext,
  useNotify,
  useTranslate,
} from 'react-admin';

const byName = { field: 'name', order: 'ASC' } as const;
const byOrder = { field: 'sortOrder', order: 'ASC' } as const;

/** Digits search by phone, anything else by name, tax or identity number. */
const accountQuery = (text: string) => {
  const t = text.trim();
  if (!t) return {};
  const digits = t.replace(/\D/g, '');
  const phoneLike = /^[+\d\s()-]+$/.test(t) && digits.length >= 4 && (/^[+0(]/.test(t) || /\s/.test(t) || (digits.length === 10 && digits.startsWith('5')) || digits.length < 10);
  return phoneLike ? { phone: t } : { q: t };
};

const accountText = (a: any) => (a ? [a.name, a.phones?.[0], a.city].filter(Boolean).join(' · ') : '');

/** "New account" inside the applicant picker: name, kind, phone; the rest can wait. */
function NewAccountInline() {
  const { filter, onCancel, onCreate } = useCreateSuggestionContext();
  const translate = useTranslate();
  const notify = useNotify();
  const [create, { isPending }] = useCreate();
  const looksLikePhone = /^[+\d\s()-]{7,}$/.test(filter ?? '');
  const [name, setName] = useState(looksLikePhone ? '' : (filter ?? ''));
  const [phone, setPhone] = useState(looksLikePhone ? (filter ?? '') : '');
  const [kind, setKind] = useState('INDIVIDUAL');
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    create(
      'accounts',
      { data: { name, kind, phones: phone ? [phone] : [] } },
      {
        onSuccess: (data) => onCreate(data),
        onError: (err: any) => notify(err?.message ?? 'ra.notification.http_error', { type: 'error' }),
      },
    );
  };
  return (
    <Dialog open onClose={onCancel} aria-labelledby="new-account-title">
      <form onSubmit={submit}>
        <DialogTitle id="new-account-title">{translate('resources.accounts.name', { smart_count: 1 })}</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important', minWidth: 360 }}>
          <MuiTextField label={translate('resources.accounts.fields.name')} value={name} onChange={(e) => setName(e.target.value)} required autoFocus />
          <MuiTextField select label={translate('resources.accounts.fields.kind')} value={kind} onChange={(e) => setKind(e.target.value)}>
            <MenuItem value="INDIVIDUAL">{translate('app.kind.INDIVIDUAL')}</MenuItem>
            <MenuItem value="COMPANY">{translate('app.kind.COMPANY')}</MenuItem>
          </MuiTextField>
          <MuiTextField label={translate('resources.accounts.fields.phone')} value={phone} onChange={(e) => setPhone(e.target.value)} />
        </DialogContent>
        <DialogActions>
          <Button onClick={onCancel}>{translate('ra.action.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={isPending || !name.trim()}>
            {translate('ra.action.save')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function AccountDependent() {
  const applicantId = useWatch({ name: 'applicantId' });
  return (
    <>
      <Grid size={{ xs: 12, md: 6 }}>
        <ReferenceInput source="reporterId" reference="contacts" filter={{ accountId: applicantId }} queryOptions={{ enabled: !!applicantId }}>
          <AutocompleteInput helperText={false} optionText="fullName" disabled={!applicantId} fullWidth />
        </ReferenceInput>
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <ReferenceInput source="subscriptionId" reference="subscriptions" filter={{ accountId: applicantId }} queryOptions={{ enabled: !!applicantId }}>
          <AutocompleteInput helperText={false} optionText={(s: any) => [s.number, s.name].filter(Boolean).join(' · ')} disabled={!applicantId} fullWidth />
        </ReferenceInput>
      </Grid>
    </>
  );
}

export function CategoryCascade() {
  const categoryId = useWatch({ name: 'categoryId' });
  const subcategoryId = useWatch({ name: 'subcategoryId' });
  const { setValue } = useFormContext();
  return (
    <>
      <Grid size={{ xs: 12, md: 4 }}>
        <ReferenceInput source="categoryId" reference="categories" filter={{ level: 1, active: true }} sort={byOrder} perPage={200}>
          <AutocompleteInput helperText={false}
            optionText="name"
            validate={required()}
            fullWidth
            onChange={() => {
              setValue('subcategoryId', null);
              setValue('treeCategoryId', null);
            }}
          />
        </ReferenceInput>
      </Grid>
      <Grid size={{ xs: 12, md: 4 }}>
        <ReferenceInput source="subcategoryId" reference="categories" filter={{ parentId: categoryId, active: true }} sort={byOrder} perPage={200} queryOptions={{ enabled: !!categoryId }}>
          <AutocompleteInput helperText={false} optionText="name" disabled={!categoryId} fullWidth onChange={() => setValue('treeCategoryId', null)} />
        </ReferenceInput>
      </Grid>
      <Grid size={{ xs: 12, md: 4 }}>
        <ReferenceInput source="treeCategoryId" reference="categories" filter={{ parentId: subcategoryId, active: true }} sort={byOrder} perPage={200} queryOptions={{ enabled: !!subcategoryId }}>
          <AutocompleteInput helperText={false} optionText="name" disabled={!subcategoryId} fullWidth />
        </ReferenceInput>
      </Grid>
    </>
  );
}

function CreateToolbar() {
  return (
    <Toolbar>
      <SaveButton />
    </Toolbar>
  );
}

/** One screen for a phone call: who is calling, what about, to whom it goes. */
export function ApplicationCreate() {
  const translate = useTranslate();
  const { identity, isPending } = useGetIdentity();
  if (isPending) return null;
  // The call taker owns the application unless they pass it on.
  return (
    <Create redirect="show" mutationMode="pessimistic" title={translate('app.action.new_call')}>
      <SimpleForm toolbar={<CreateToolbar />} sx={{ maxWidth: 1100 }} defaultValues={{ assignee: { userId: identity?.id } }}>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {translate('app.message.new_call_help')}
        </Typography>
        <Grid container spacing={2} sx={{ width: '100%' }}>
          <Grid size={{ xs: 12 }}>
            <ReferenceInput source="applicantId" reference="accounts" sort={byName} perPage={20}>
              <AutocompleteInput helperText={false}
                optionText={accountText}
                filterToQuery={accountQuery}
                validate={required()}
                create={<NewAccountInline />}
                createItemLabel="app.action.new_account"
                fullWidth
                autoFocus
                debounce={250}
              />
            </ReferenceInput>
          </Grid>
          <AccountDependent />
          <CategoryCascade />
          <Grid size={{ xs: 12 }}>
            <TextInput helperText={false} source="subject" validate={required()} fullWidth />
          </Grid>
          <Grid size={{ xs: 12 }}>
            <TextInput helperText={false} source="detail" multiline minRows={4} fullWidth />
          </Grid>
          <ExtraFieldsInput target="APPLICATION" />
          <Grid size={{ xs: 12, sm: 6, md: 3 }}>
            <ReferenceInput source="priorityId" reference="priorities" sort={byOrder} filter={{ active: true }}>
              <SelectInput helperText={false} optionText="name" fullWidth />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, sm: 6, md: 3 }}>
            <ReferenceInput source="channelId" reference="contactChannels" sort={byOrder} filter={{ active: true }}>
              <SelectInput helperText={false} optionText="name" fullWidth />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, sm: 6, md: 3 }}>
            <ReferenceInput source="assignee.userId" reference="users" sort={byName} filter={{ active: true }}>
              <AutocompleteInput helperText={false} optionText="name" fullWidth label="resources.applications.fields.assigneeUser" />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, sm: 6, md: 3 }}>
            <ReferenceInput source="assignee.teamId" reference="teams" sort={byName}>
              <AutocompleteInput helperText={false} optionText="name" fullWidth label="resources.applications.fields.assigneeTeam" />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, sm: 6, md: 3 }}>
            <ReferenceInput source="projectId" reference="projects" sort={byName} filter={{ active: true }}>
              <AutocompleteInput helperText={false} optionText="name" fullWidth />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, sm: 6, md: 3 }}>
            <TextInput helperText={false} source="referenceNo" fullWidth />
          </Grid>
        </Grid>
        <Box sx={{ height: 8 }} />
      </SimpleForm>
    </Create>
  );
}

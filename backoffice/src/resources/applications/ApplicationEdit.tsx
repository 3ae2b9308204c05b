import { AutocompleteInput, DateTimeInput, ReferenceInput, SimpleForm, TextInput, required } from 'react-admin';
import { Grid } from '@mui/material';
import { ConflictEdit } from '../../components/ConflictEdit';
import { usePerm } from '../../components/usePerm';
import { CategoryCascade } from './ApplicationCreate';
import { ExtraFieldsInput } from '../../components/ExtraFieldsInput';

const byName = { field: 'name', order: 'ASC' } as const;
const byOrder = { field: 'sortOrder', order: 'ASC' } as const;

/** Main fields; stage and assignee change through their own actions on the detail page. */
export function ApplicationEdit() {
  const { allowed } = usePerm();
  const may = (field: string) => allowed('update', 'Application', field);
  return (
    <ConflictEdit>
      <SimpleForm sx={{ maxWidth: 1100 }}>
        <Grid container spacing={2} sx={{ width: '100%' }}>
          <Grid size={{ xs: 12 }}>
            <TextInput helperText={false} source="subject" validate={required()} fullWidth disabled={!may('subject')} />
          </Grid>
          <Grid size={{ xs: 12 }}>
            <TextInput helperText={false} source="detail" multiline minRows={4} fullWidth disabled={!may('detail')} />
          </Grid>
          {may('category') && <CategoryCascade />}
          {may('extra') && <ExtraFieldsInput target="APPLICATION" />}
          <Grid size={{ xs: 12, md: 4 }}>
            <ReferenceInput source="priorityId" reference="priorities" sort={byOrder}>
              <AutocompleteInput helperText={false} optionText="name" fullWidth disabled={!may('priority')} />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, md: 4 }}>
            <ReferenceInput source="channelId" reference="contactChannels" sort={byOrder}>
              <AutocompleteInput helperText={false} optionText="name" fullWidth disabled={!may('channel')} />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, md: 4 }}>
            <ReferenceInput source="responsibleId" reference="users" sort={byName}>
              <AutocompleteInput helperText={false} optionText="name" fullWidth disabled={!may('responsible')} />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, md: 4 }}>
            <ReferenceInput source="projectId" reference="projects" sort={byName}>
              <AutocompleteInput helperText={false} optionText="name" fullWidth disabled={!may('project')} />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, md: 4 }}>
            <ReferenceInput source="campaignId" reference="campaigns" sort={byName}>
              <AutocompleteInput helperText={false} optionText="name" fullWidth disabled={!may('campaign')} />
            </ReferenceInput>
          </Grid>
          <Grid size={{ xs: 12, md: 4 }}>
            <TextInput helperText={false} source="referenceNo" fullWidth disabled={!may('referenceNo')} />
          </Grid>
          <Grid size={{ xs: 12, md: 4 }}>
            <DateTimeInput helperText={false} source="acceptanceDate" fullWidth disabled={!may('acceptanceDate')} />
          </Grid>
        </Grid>
      </SimpleForm>
    </ConflictEdit>
  );
}

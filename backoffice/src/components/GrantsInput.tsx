import { ArrayInput, BooleanInput, TextInput, SelectInput, SimpleFormIterator, required, useTranslate } from 'react-admin';
import { OTHER_SUBJECTS, RESOURCES } from '../data/resources';
import { trCollator } from '../i18n';

const SUBJECTS = [...new Set(['all', ...Object.values(RESOURCES).map((r) => r.subject), ...OTHER_SUBJECTS])].sort((a, b) => trCollator.compare(a, b));
const ACTIONS = ['manage', 'read', 'create', 'update', 'archive', 'changeStage', 'assign', 'addFollowUp', 'addTime'];
const SCOPES = ['all', 'team', 'own'];

/** A role's grants: subject, action, scope, optional fields, or a denial. */
export function GrantsInput({ source }: { source: string }) {
  const translate = useTranslate();
  const choices = (list: string[], prefix: string) => list.map((id) => ({ id, name: translate(`${prefix}.${id}`) }));
  return (
    <ArrayInput source={source}>
      <SimpleFormIterator inline disableReordering>
        <SelectInput source="subject" label="app.grant.subject" choices={choices(SUBJECTS, 'app.subject')} validate={required()} helperText={false} />
        <SelectInput source="action" label="app.grant.action" choices={choices(ACTIONS, 'app.grant_action')} validate={required()} helperText={false} />
        <SelectInput source="scope" label="app.grant.scope" choices={choices(SCOPES, 'app.scope')} defaultValue="all" helperText={false} />
        <TextInput
          source="fields"
          label="app.grant.fields"
          helperText={false}
          sx={{ minWidth: 220 }}
          format={(x: string[] | null | undefined) => (x ?? []).join(', ')}
          parse={(v: string) => {
            const list = v.split(',').map((f) => f.trim()).filter(Boolean);
            return list.length ? list : null;
          }}
        />
        <BooleanInput source="inverted" label="app.grant.inverted" helperText={false} />
      </SimpleFormIterator>
    </ArrayInput>
  );
}

import {
  ArrayField,
  Datagrid,
  FunctionField,
  NumberField,
  ReferenceManyField,
  Show,
  TabbedShowLayout,
  TextField,
  TopToolbar,
  EditButton,
  CreateButton,
  useRecordContext,
  useTranslate,
  Pagination,
} from 'react-admin';
import { ColorChip, LocaleDateField, MinutesField } from '../../components/fields';

function Actions() {
  const record = useRecordContext();
  const translate = useTranslate();
  return (
    <TopToolbar>
      <CreateButton resource="applications" state={{ record: { applicantId: record?.id } }} label={translate('app.action.new_call')} />
      <EditButton />
    </TopToolbar>
  );
}

export function AccountShow() {
  const translate = useTranslate();
  return (
    <Show actions={<Actions />}>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label="app.tab.summary">
          <TextField source="name" />
          <FunctionField source="kind" render={(r: any) => translate(`app.kind.${r.kind}`)} />
          <TextField source="taxNumber" />
          <TextField source="taxOffice" />
          <TextField source="identityNumber" />
          <FunctionField source="phones" render={(r: any) => r.phones?.join(', ')} />
          <FunctionField source="emails" render={(r: any) => r.emails?.join(', ')} />
          <FunctionField source="address" render={(r: any) => [r.address, r.district, r.city].filter(Boolean).join(', ')} />
          <TextField source="region.name" label="resources.accounts.fields.region" />
          <NumberField source="openApplicationCount" />
          <NumberField source="applicationCount" />
          <NumberField source="openServiceRequestCount" />
          <MinutesField source="timeSpentMinutes" />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label={translate('resources.contacts.name', { smart_count: 2 })} path="contacts">
          <ReferenceManyField reference="contacts" target="accountId" pagination={<Pagination />}>
            <Datagrid rowClick="edit" bulkActionButtons={false}>
              <TextField source="fullName" />
              <TextField source="title" />
              <TextField source="phone" />
              <TextField source="email" />
            </Datagrid>
          </ReferenceManyField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label={translate('resources.subscriptions.name', { smart_count: 2 })} path="subscriptions">
          <ArrayField source="subscriptions">
            <Datagrid bulkActionButtons={false}>
              <TextField source="number" />
              <TextField source="name" />
            </Datagrid>
          </ArrayField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label={translate('resources.applications.name', { smart_count: 2 })} path="applications">
          <ReferenceManyField reference="applications" target="applicantIds" sort={{ field: 'applicationDate', order: 'DESC' }} pagination={<Pagination />}>
            <Datagrid rowClick="show" bulkActionButtons={false}>
              <TextField source="number" />
              <TextField source="subject" />
              <ColorChip source="stage" label="resources.applications.fields.stage" />
              <LocaleDateField source="applicationDate" />
              <MinutesField source="timeSpentMinutes" />
            </Datagrid>
          </ReferenceManyField>
        </TabbedShowLayout.Tab>
      </TabbedShowLayout>
    </Show>
  );
}

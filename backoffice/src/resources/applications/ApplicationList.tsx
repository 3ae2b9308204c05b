import {
  AutocompleteArrayInput,
  BooleanInput,
  BulkExportButton,
  CreateButton,
  DatagridConfigurable,
  DateInput,
  ExportButton,
  FilterButton,
  FunctionField,
  List,
  NullableBooleanInput,
  NumberField,
  ReferenceArrayInput,
  SearchInput,
  SelectColumnsButton,
  TextField,
  TextInput,
  TopToolbar,
  useListContext,
  useTranslate,
} from 'react-admin';
import PhoneInTalkIcon from '@mui/icons-material/PhoneInTalk';
import { AssigneeField, ColorChip, LocaleDateField, MinutesField } from '../../components/fields';
import { CategoryTreeInput } from '../../components/CategoryTreeInput';
import { APPLICATION_CHANGED, useSubscription } from '../../data/live';
import { ExportJobButtons, HAS_EXPORTS } from '../../components/jobs';

const byName = { field: 'name', order: 'ASC' } as const;
const byOrder = { field: 'sortOrder', order: 'ASC' } as const;

export const applicationFilters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <ReferenceArrayInput key="stageIds" source="stageIds" reference="processStages" sort={byOrder} perPage={100} alwaysOn>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 200 }} />
  </ReferenceArrayInput>,
  <ReferenceArrayInput key="priorityIds" source="priorityIds" reference="priorities" sort={byOrder} perPage={100} alwaysOn>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 160 }} />
  </ReferenceArrayInput>,
  <CategoryTreeInput key="categoryIds" source="categoryIds" alwaysOn />,
  <ReferenceArrayInput key="assigneeUserIds" source="assigneeUserIds" reference="users" sort={byName}>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 200 }} />
  </ReferenceArrayInput>,
  <ReferenceArrayInput key="assigneeTeamIds" source="assigneeTeamIds" reference="teams" sort={byName}>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 200 }} />
  </ReferenceArrayInput>,
  <DateInput key="from" source="applicationDate.from" label="resources.applications.fields.applicationDateFrom" />,
  <DateInput key="to" source="applicationDate.to" label="resources.applications.fields.applicationDateTo" />,
  <NullableBooleanInput key="closed" source="closed" />,
  <BooleanInput key="unassigned" source="unassigned" />,
  <ReferenceArrayInput key="channelIds" source="channelIds" reference="contactChannels" sort={byOrder}>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 160 }} />
  </ReferenceArrayInput>,
  <ReferenceArrayInput key="projectIds" source="projectIds" reference="projects" sort={byName}>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 160 }} />
  </ReferenceArrayInput>,
  <ReferenceArrayInput key="campaignIds" source="campaignIds" reference="campaigns" sort={byName}>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 160 }} />
  </ReferenceArrayInput>,
  <ReferenceArrayInput key="branchIds" source="branchIds" reference="branches" sort={byName}>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 160 }} />
  </ReferenceArrayInput>,
  <TextInput key="referenceNo" source="referenceNo" />,
  // Filters the dashboard's figures open the list with (applicant bars, closings per period).
  <ReferenceArrayInput key="applicantIds" source="applicantIds" reference="accounts" sort={byName}>
    <AutocompleteArrayInput optionText="name" sx={{ minWidth: 200 }} />
  </ReferenceArrayInput>,
  <DateInput key="closedFrom" source="closedAt.from" label="resources.applications.fields.closedAtFrom" />,
  <DateInput key="closedTo" source="closedAt.to" label="resources.applications.fields.closedAtTo" />,
];

function ListActions() {
  const translate = useTranslate();
  return (
    <TopToolbar>
      <FilterButton />
      <SelectColumnsButton />
      <CreateButton label={translate('app.action.new_call')} icon={<PhoneInTalkIcon />} />
      {HAS_EXPORTS ? <ExportJobButtons kind="list" /> : <ExportButton maxResults={5000} />}
    </TopToolbar>
  );
}

function BulkActions() {
  return (
    <>
      {HAS_EXPORTS ? <ExportJobButtons kind="selection" /> : <BulkExportButton />}
    </>
  );
}

/** Refreshes the list when an application the user may read changes anywhere. */
function LiveRefresh() {
  // Only the list's own data: a full refresh would also refetch every filter's reference lists.
  const { refetch } = useListContext();
  useSubscription(APPLICATION_CHANGED, {}, () => void refetch(), 500);
  return null;
}

export function ApplicationList() {
  return (
    <List
      filters={applicationFilters}
      actions={<ListActions />}
      sort={{ field: 'applicationDate', order: 'DESC' }}
      perPage={25}
      storeKey="applications.list"
      sx={{ '& .RaList-main': { minWidth: 0 } }}
    >
      <LiveRefresh />
      <DatagridConfigurable rowClick="show" bulkActionButtons={<BulkActions />} omit={['channel.name', 'createdAt', 'referenceNo', 'project.name']}>
        <TextField source="number" />
        <TextField source="subject" />
        <TextField source="applicant.name" label="resources.applications.fields.applicant" sortBy="applicant" />
        <ColorChip source="stage" label="resources.applications.fields.stage" sortBy="stage" />
        <ColorChip source="priority" label="resources.applications.fields.priority" sortBy="priority" />
        <FunctionField
          label="resources.applications.fields.category"
          sortBy="category"
          render={(r: any) => [r.category?.name, r.subcategory?.name, r.treeCategory?.name].filter(Boolean).join(' › ')}
        />
        <AssigneeField label="resources.applications.fields.assignee" sortable={false} />
        <LocaleDateField source="applicationDate" showTime />
        <NumberField source="followUpCount" />
        <MinutesField source="timeSpentMinutes" />
        <TextField source="channel.name" label="resources.applications.fields.channel" sortable={false} />
        <TextField source="project.name" label="resources.applications.fields.project" sortable={false} />
        <TextField source="referenceNo" />
        <LocaleDateField source="createdAt" showTime />
      </DatagridConfigurable>
    </List>
  );
}

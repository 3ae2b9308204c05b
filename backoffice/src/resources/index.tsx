import BusinessIcon from '@mui/icons-material/Business';
import ContactPhoneIcon from '@mui/icons-material/ContactPhone';
import CardMembershipIcon from '@mui/icons-material/CardMembership';
import BuildIcon from '@mui/icons-material/Build';
import TrendingUpIcon from '@mui/icons-material/TrendingUp';
import TaskIcon from '@mui/icons-material/Task';
import DescriptionIcon from '@mui/icons-material/Description';
import MenuBookIcon from '@mui/icons-material/MenuBook';
import PersonIcon from '@mui/icons-material/Person';
import GroupsIcon from '@mui/icons-material/Groups';
import SecurityIcon from '@mui/icons-material/Security';
import AccountTreeIcon from '@mui/icons-material/AccountTree';
import LinearScaleIcon from '@mui/icons-material/LinearScale';
import PriorityHighIcon from '@mui/icons-material/PriorityHigh';
import SettingsPhoneIcon from '@mui/icons-material/SettingsPhone';
import StoreIcon from '@mui/icons-material/Store';
import WorkIcon from '@mui/icons-material/Work';
import CampaignIcon from '@mui/icons-material/Campaign';
import MapIcon from '@mui/icons-material/Map';
import TuneIcon from '@mui/icons-material/Tune';
import { BooleanInput, NumberField } from 'react-admin';
import { applications } from './applications';
import { simpleResource, type FieldSpec } from './simple';
import { AccountShow } from './accounts/AccountShow';
import { DocumentList } from './documents/DocumentList';
import { CategoryTree } from './categories/CategoryTree';
import { ImportButton } from '../components/jobs';
import { HAS_MAIL, mailboxes } from './mail/mail';
import { roleName } from '../i18n';

const ref = (source: string, reference: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ source, kind: 'ref', reference, ...extra });
const NAME: FieldSpec = { source: 'name', required: true };
const ACTIVE: FieldSpec = { source: 'active', kind: 'bool' }; // starts on in create forms (simple.tsx)
const ORDER: FieldSpec = { source: 'sortOrder', kind: 'int' };
const COLOR: FieldSpec = { source: 'color', kind: 'color' };
const byName = { field: 'name', order: 'ASC' } as const;
const byOrder = { field: 'sortOrder', order: 'ASC' } as const;

const accounts = simpleResource({
  name: 'accounts',
  icon: BusinessIcon,
  sort: byName,
  fields: accountsFields(),
  show: AccountShow,
  extraActions: [<ImportButton key="import" target="accounts" />],
  extraColumns: [<NumberField key="open" source="openApplicationCount" sortable={false} />],
});

export const resources = [
  applications,
  accounts,
  simpleResource({
    name: 'contacts',
    icon: ContactPhoneIcon,
    sort: byName,
    extraActions: [<ImportButton key="import" target="contacts" />],
    fields: [ref('accountId', 'accounts', { required: true, filter: true }), { source: 'firstName', required: true }, { source: 'lastName', required: true }, { source: 'title' }, { source: 'phone' }, { source: 'email' }, ACTIVE],
  }),
  simpleResource({
    name: 'subscriptions',
    icon: CardMembershipIcon,
    fields: [
      ref('accountId', 'accounts', { required: true, filter: true }),
      { source: 'number', required: true },
      { source: 'name' },
      { source: 'address', kind: 'long' },
      { source: 'startDate', kind: 'date' },
      { source: 'endDate', kind: 'date' },
      { source: 'timeSpentMinutes', kind: 'minutes', readOnly: true },
      ACTIVE,
    ],
  }),
  simpleResource({
    name: 'serviceRequests',
    icon: BuildIcon,
    sort: { field: 'requestedDate', order: 'DESC' },
    recordRepresentation: 'number',
    fields: [
      { source: 'number', readOnly: true },
      { source: 'subject', required: true },
      ref('accountId', 'accounts', { required: true }),
      ref('contactId', 'contacts', { optionText: 'fullName' }),
      ref('stageId', 'serviceStages', { filter: false }),
      ref('priorityId', 'priorities'),
      { source: 'product' },
      { source: 'serialNumber', list: false },
      { source: 'requestedDate', kind: 'date' },
      { source: 'plannedDate', kind: 'date' },
      { source: 'detail', kind: 'long' },
      { source: 'resolutionNote', kind: 'long' },
    ],
  }),
  simpleResource({
    name: 'opportunities',
    icon: TrendingUpIcon,
    sort: { field: 'expectedCloseDate', order: 'ASC' },
    recordRepresentation: 'title',
    fields: [
      { source: 'title', required: true },
      ref('accountId', 'accounts', { required: true }),
      ref('contactId', 'contacts', { optionText: 'fullName' }),
      ref('stageId', 'salesStages'),
      ref('ownerId', 'users'),
      { source: 'expectedAmount', kind: 'number' },
      { source: 'currency', kind: 'select', choices: ['TRY', 'USD', 'EUR', 'GBP'] },
      { source: 'probability', kind: 'int' },
      { source: 'expectedCloseDate', kind: 'date' },
      ref('projectId', 'projects'),
      ref('campaignId', 'campaigns'),
      { source: 'description', kind: 'long' },
    ],
  }),
  simpleResource({
    name: 'tasks',
    icon: TaskIcon,
    sort: { field: 'dueAt', order: 'ASC' },
    recordRepresentation: 'title',
    fields: [
      { source: 'title', required: true },
      { source: 'status', kind: 'select', choices: ['OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED'], choicePrefix: 'app.status' },
      ref('assigneeId', 'users'),
      ref('priorityId', 'priorities'),
      { source: 'dueAt', kind: 'datetime' },
      { source: 'description', kind: 'long' },
    ],
    filters: [<BooleanInput key="mine" source="mine" alwaysOn />, <BooleanInput key="overdue" source="overdue" />],
  }),
  { ...simpleResource({ name: 'documents', icon: DescriptionIcon, canCreate: false, fields: [NAME, { source: 'folder' }, { source: 'tags', kind: 'tags' }, { source: 'description', kind: 'long' }] }), list: DocumentList },
  simpleResource({
    name: 'contents',
    icon: MenuBookIcon,
    recordRepresentation: 'title',
    fields: [{ source: 'title', required: true }, { source: 'category' }, { source: 'tags', kind: 'tags' }, { source: 'published', kind: 'bool' }, { source: 'body', kind: 'long', required: true }],
  }),
  simpleResource({
    name: 'users',
    icon: PersonIcon,
    sort: byName,
    fields: [NAME, { source: 'email', required: true }, { source: 'phone' }, { source: 'password', kind: 'password', createOnly: true, list: false }, { source: 'roleIds', kind: 'refs', reference: 'roles', optionText: roleName }, { source: 'teamIds', kind: 'refs', reference: 'teams' }, { source: 'lastSignInAt', kind: 'datetime', readOnly: true }, ACTIVE],
  }),
  simpleResource({
    name: 'teams',
    icon: GroupsIcon,
    sort: byName,
    fields: [NAME, ref('leaderId', 'users'), { source: 'memberIds', kind: 'refs', reference: 'users' }, { source: 'description', kind: 'long' }, ACTIVE],
  }),
  simpleResource({ name: 'roles', icon: SecurityIcon, recordRepresentation: roleName, fields: [{ ...NAME, display: roleName }, { source: 'key', readOnly: true }, { source: 'builtIn', kind: 'bool', readOnly: true }, { source: 'description', kind: 'long' }, { source: 'grants', kind: 'grants', list: true }] }),
  { ...simpleResource({ name: 'categories', icon: AccountTreeIcon, sort: byOrder, fields: [NAME, ref('parentId', 'categories'), ORDER, ACTIVE] }), list: CategoryTree },
  simpleResource({
    name: 'processStages',
    icon: LinearScaleIcon,
    sort: byOrder,
    fields: [NAME, COLOR, ORDER, { source: 'isInitial', kind: 'bool' }, { source: 'closed', kind: 'bool' }, { source: 'allowedNextStageIds', kind: 'refs', reference: 'processStages', relation: 'allowedNext' }, ACTIVE],
  }),
  simpleResource({
    name: 'serviceStages',
    icon: LinearScaleIcon,
    sort: byOrder,
    fields: [NAME, COLOR, ORDER, { source: 'isInitial', kind: 'bool' }, { source: 'closed', kind: 'bool' }, { source: 'allowedNextStageIds', kind: 'refs', reference: 'serviceStages', relation: 'allowedNext' }, ACTIVE],
  }),
  simpleResource({ name: 'salesStages', icon: LinearScaleIcon, sort: byOrder, fields: [NAME, COLOR, ORDER, { source: 'outcome', kind: 'select', choices: ['OPEN', 'WON', 'LOST'], choicePrefix: 'app.outcome' }, { source: 'probability', kind: 'int' }, ACTIVE] }),
  simpleResource({ name: 'priorities', icon: PriorityHighIcon, sort: byOrder, fields: [NAME, COLOR, ORDER, { source: 'isDefault', kind: 'bool' }, ACTIVE] }),
  simpleResource({ name: 'contactChannels', icon: SettingsPhoneIcon, sort: byOrder, fields: [NAME, { source: 'code', required: true }, ORDER, { source: 'isDefault', kind: 'bool' }, ACTIVE] }),
  simpleResource({ name: 'branches', icon: StoreIcon, sort: byName, fields: [NAME, { source: 'code' }, { source: 'city' }, { source: 'phone' }, ORDER, ACTIVE] }),
  simpleResource({ name: 'projects', icon: WorkIcon, sort: byName, fields: [NAME, { source: 'code' }, { source: 'startDate', kind: 'date' }, { source: 'endDate', kind: 'date' }, { source: 'description', kind: 'long' }, ACTIVE] }),
  simpleResource({ name: 'campaigns', icon: CampaignIcon, sort: byName, fields: [NAME, { source: 'code' }, { source: 'startDate', kind: 'date' }, { source: 'endDate', kind: 'date' }, { source: 'description', kind: 'long' }, ACTIVE] }),
  simpleResource({ name: 'regions', icon: MapIcon, sort: byName, fields: [NAME, ref('responsibleId', 'users'), ACTIVE] }),
  simpleResource({
    name: 'extraFields',
    icon: TuneIcon,
    sort: byOrder,
    recordRepresentation: 'label',
    fields: [
      { source: 'label', required: true },
      { source: 'key', required: true },
      { source: 'target', kind: 'select', choices: ['APPLICATION', 'ACCOUNT', 'CONTACT'], choicePrefix: 'app.target', required: true, filter: true },
      { source: 'type', kind: 'select', choices: ['TEXT', 'LONG_TEXT', 'NUMBER', 'DATE', 'BOOLEAN', 'SINGLE_CHOICE', 'MULTIPLE_CHOICE'], choicePrefix: 'app.field_type', required: true },
      { source: 'options', kind: 'tags' },
      { source: 'required', kind: 'bool' },
      ORDER,
      ACTIVE,
    ],
  }),
  ...(HAS_MAIL ? [mailboxes] : []),
];

function accountsFields(): FieldSpec[] {
  return [
    NAME,
    { source: 'kind', kind: 'select', choices: ['INDIVIDUAL', 'COMPANY'], choicePrefix: 'app.kind', required: true, filter: true },
    { source: 'phones', kind: 'tags', list: true },
    { source: 'emails', kind: 'tags' },
    { source: 'taxNumber' },
    { source: 'taxOffice', list: false },
    { source: 'identityNumber', list: false },
    { source: 'address', kind: 'long' },
    { source: 'city' },
    { source: 'district', list: false },
    ref('regionId', 'regions'),
    ACTIVE,
  ];
}

export const MENU_GROUPS: { label: string; items: string[] }[] = [
  { label: 'app.menu.work', items: ['applications', 'tasks', 'serviceRequests', 'documents', 'contents'] },
  { label: 'app.menu.crm', items: ['accounts', 'contacts', 'subscriptions', 'opportunities'] },
  {
    label: 'app.menu.admin',
    items: ['users', 'teams', 'roles', 'categories', 'processStages', 'serviceStages', 'salesStages', 'priorities', 'contactChannels', 'branches', 'projects', 'campaigns', 'regions', 'extraFields', ...(HAS_MAIL ? ['mailboxes'] : [])],
  },
];

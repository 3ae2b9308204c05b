/**
 * The back office's resources and the API operations behind them. The API names its
 * operations for integrators (`applications(filter, sort, page)`, `application(id)`,
 * `createApplication(input)`, `updateApplication(id, input, version)`, `archiveApplication(id)`);
 * this table is the only place that maps react-admin's resource names onto them.
 */
export interface ResourceOps {
  /** The GraphQL object type. */
  type: string;
  one: string;
  list: string;
  create?: string;
  update?: string;
  archive?: string;
  /** The CASL subject the API checks (usually the type name). */
  subject: string;
}

const def = (type: string, one: string, list: string, suffix: string | null, subject = type): ResourceOps => ({
  type,
  one,
  list,
  create: suffix ? `create${suffix}` : undefined,
  update: suffix ? `update${suffix}` : undefined,
  archive: suffix ? `archive${suffix}` : undefined,
  subject,
});

export const RESOURCES: Record<string, ResourceOps> = {
  applications: def('Application', 'application', 'applications', 'Application'),
  accounts: def('Account', 'account', 'accounts', 'Account'),
  contacts: def('Contact', 'contact', 'contacts', 'Contact'),
  subscriptions: def('AccountSubscription', 'subscription', 'subscriptions', 'Subscription', 'Subscription'),
  serviceRequests: def('ServiceRequest', 'serviceRequest', 'serviceRequests', 'ServiceRequest'),
  opportunities: def('Opportunity', 'opportunity', 'opportunities', 'Opportunity'),
  tasks: def('Task', 'task', 'tasks', 'Task'),
  documents: { ...def('Document', 'document', 'documents', 'Document'), create: undefined },
  contents: def('Content', 'content', 'contents', 'Content'),
  users: def('User', 'user', 'users', 'User'),
  teams: def('Team', 'team', 'teams', 'Team'),
  roles: def('Role', 'role', 'roles', 'Role'),
  categories: def('Category', 'category', 'categories', 'Category'),
  processStages: def('ProcessStage', 'processStage', 'processStages', 'ProcessStage'),
  priorities: def('Priority', 'priority', 'priorities', 'Priority'),
  contactChannels: def('ContactChannel', 'contactChannel', 'contactChannels', 'ContactChannel'),
  branches: def('Branch', 'branch', 'branches', 'Branch'),
  projects: def('Project', 'project', 'projects', 'Project'),
  campaigns: def('Campaign', 'campaign', 'campaigns', 'Campaign'),
  regions: def('Region', 'region', 'regions', 'Region'),
  extraFields: def('ExtraFieldDefinition', 'extraField', 'extraFields', 'ExtraField'),
  salesStages: def('SalesStage', 'salesStage', 'salesStages', 'SalesStage'),
  serviceStages: def('ServiceStage', 'serviceStage', 'serviceStages', 'ServiceStage'),
  mailboxes: def('Mailbox', 'mailbox', 'mailboxes', 'Mailbox'),
};


/** Permission subjects without a resource of their own (a role's grants name them too). */
export const OTHER_SUBJECTS = ['FollowUp', 'Session', 'ExportJob', 'Mailbox'];

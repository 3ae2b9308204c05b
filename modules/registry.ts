import { registerSubjects } from '../api/ability';
import type { ModuleDefinition } from '../api/module';
import { accountsModule } from './accounts/accounts.module';
import { applicationsModule } from './applications/applications.module';
import { contentsModule } from './contents/contents.module';
import { dashboardsModule } from './dashboards/dashboards.module';
import { documentsModule } from './documents/documents.module';
import { opportunitiesModule } from './opportunities/opportunities.module';
import { serviceRequestsModule } from './service-requests/service-requests.module';
import { linksModule } from './links/links.module';
import { tasksModule } from './tasks/tasks.module';
import { exportsModule } from './exports/exports.module';
import { extraFieldsModule } from './extra-fields/extra-fields.module';
import { identityModule } from './identity/identity.module';
import { referenceModule } from './reference/reference.module';
import { mailModule } from './mail/mail.module';

/** Every business module, in dependency order. The only place that lists them. */
export const modules: ModuleDefinition[] = [identityModule, referenceModule, extraFieldsModule, accountsModule, linksModule, tasksModule, contentsModule, documentsModule, applicationsModule, serviceRequestsModule, opportunitiesModule, dashboardsModule, exportsModule, mailModule];

registerSubjects(modules.flatMap((m) => m.subjects ?? []));

export const entities = modules.flatMap((m) => m.entities);
export const resolvers = modules.flatMap((m) => m.resolvers) as [Function, ...Function[]];

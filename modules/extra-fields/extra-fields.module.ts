import type { ModuleDefinition } from '../../api/module';
import { ExtraFieldDefinition } from './entities/extra-field-definition.entity';
import { ExtraFieldResolver } from './resolvers/extra-field.resolver';

/** Administrator-defined extra fields (ek bilgi) for applications, accounts and contacts. */
export const extraFieldsModule: ModuleDefinition = {
  name: 'extra-fields',
  entities: [ExtraFieldDefinition],
  resolvers: [ExtraFieldResolver],
  subjects: [{ name: 'ExtraFieldDefinition', entity: ExtraFieldDefinition, actions: ['read', 'create', 'update', 'archive'] }],
  defaultGrants: {
    team_leader: [{ subject: 'ExtraFieldDefinition', action: 'read', scope: 'all' }],
    agent: [{ subject: 'ExtraFieldDefinition', action: 'read', scope: 'all' }],
  },
};

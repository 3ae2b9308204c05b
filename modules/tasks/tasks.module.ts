import type { ModuleDefinition } from '../../api/module';
import { Task } from './entities/task.entity';
import { TaskCrudResolver, TaskFieldsResolver } from './resolvers/task.resolver';

/** Tasks (iş): own = assigned to me or created by me; team = the same for my team members. */
export const tasksModule: ModuleDefinition = {
  name: 'tasks',
  entities: [Task],
  resolvers: [TaskCrudResolver, TaskFieldsResolver],
  subjects: [
    {
      name: 'Task',
      entity: Task,
      actions: ['read', 'create', 'update', 'archive'],
      scopes: {
        own: (p) => ({ $or: [{ assignee: p.id }, { createdBy: p.id }] }),
        team: (p) => ({ $or: [{ assignee: { $in: p.teamMemberIds } }, { createdBy: { $in: p.teamMemberIds } }] }),
      },
    },
  ],
  defaultGrants: {
    team_leader: [
      { subject: 'Task', action: 'read', scope: 'team' },
      { subject: 'Task', action: 'update', scope: 'team' },
      { subject: 'Task', action: 'archive', scope: 'team' },
      { subject: 'Task', action: 'create', scope: 'all' },
    ],
    agent: [
      { subject: 'Task', action: 'read', scope: 'own' },
      { subject: 'Task', action: 'update', scope: 'own' },
      { subject: 'Task', action: 'create', scope: 'all' },
    ],
  },
};

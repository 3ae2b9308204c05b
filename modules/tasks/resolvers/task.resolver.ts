import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../../api/context';
import { crudResolver, relation } from '../../../api/crud';
import { User } from '../../identity/entities/user.entity';
import { Priority } from '../../reference/entities/reference.entities';
import { Task } from '../entities/task.entity';
import { taskService } from '../services/task.service';

export const TaskCrudResolver = crudResolver(taskService);

@Resolver(() => Task)
export class TaskFieldsResolver {
  @FieldResolver(() => User, { nullable: true })
  assignee(@Root() t: Task, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', t.assignee);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() t: Task, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', t.createdBy);
  }

  @FieldResolver(() => Priority, { nullable: true })
  priority(@Root() t: Task, @Ctx() ctx: Context) {
    return relation(ctx, Priority, 'Priority', t.priority);
  }
}

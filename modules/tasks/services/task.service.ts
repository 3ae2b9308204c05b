import type { FilterQuery } from '@mikro-orm/core';
import { crudService } from '../../../api/crud';
import { BadInputError } from '../../../api/errors';
import { parseIds } from '../../../api/ids';
import { User } from '../../identity/entities/user.entity';
import { requireActiveUser } from '../../identity/services/assignee.service';
import { priorityService } from '../../reference/services/reference.services';
import { CreateTaskInput, TaskFilter, TaskSort, UpdateTaskInput } from '../dto/task.input';
import { Task, TaskStatus } from '../entities/task.entity';


/** A task due in the past makes no sense: it is refused (a minute's grace for clocks). */
function checkDue(dueAt: Date | null | undefined) {
  if (dueAt && dueAt.getTime() < Date.now() - 60_000) throw new BadInputError('input.dueAt', 'A task cannot be due before it is created.', 'DATE_ORDER');
}

export const taskService = crudService<Task, CreateTaskInput, UpdateTaskInput, TaskFilter>({
  entity: Task,
  subject: 'Task',
  name: 'Task',
  plural: 'tasks',
  CreateInput: CreateTaskInput,
  UpdateInput: UpdateTaskInput,
  Filter: TaskFilter,
  Sort: TaskSort,
  defaultSort: [{ field: 'dueAt' }, { field: 'createdAt' }],
  searchColumns: ['title', 'description'],
  fieldOf: (k) => (k === 'assigneeId' ? 'assignee' : k === 'priorityId' ? 'priority' : k),
  async fromCreate(ctx, input) {
    checkDue(input.dueAt);
    return {
      title: input.title.trim(),
      description: input.description ?? null,
      assignee: input.assigneeId ? await requireActiveUser(ctx, input.assigneeId, 'input.assigneeId') : ctx.user ? ctx.em.getReference(User, ctx.user.id) : null,
      dueAt: input.dueAt ?? null,
      priority: await priorityService.require(ctx, input.priorityId, 'input.priorityId'),
      createdBy: ctx.user ? ctx.em.getReference(User, ctx.user.id) : null,
      status: TaskStatus.OPEN,
    };
  },
  async fromUpdate(ctx, input, existing) {
    const data: Record<string, unknown> = {};
    if (input.title !== undefined) data.title = input.title.trim();
    if (input.description !== undefined) data.description = input.description;
    if (input.assigneeId !== undefined) data.assignee = input.assigneeId ? await requireActiveUser(ctx, input.assigneeId, 'input.assigneeId') : null;
    if (input.dueAt !== undefined) {
      if (input.dueAt && input.dueAt < existing.createdAt) throw new BadInputError('input.dueAt', 'A task cannot be due before it was created.', 'DATE_ORDER');
      data.dueAt = input.dueAt;
    }
    if (input.priorityId !== undefined) data.priority = await priorityService.require(ctx, input.priorityId, 'input.priorityId');
    if (input.status !== undefined && input.status !== existing.status) {
      data.status = input.status;
      data.completedAt = input.status === TaskStatus.DONE ? new Date() : null;
    }
    return data;
  },
  async filterWhere(ctx, f) {
    const assignees = f.assigneeIds?.length ? parseIds(f.assigneeIds, 'filter.assigneeIds') : undefined;
    return () => {
      const w: FilterQuery<Task>[] = [];
      if (f.mine) w.push({ assignee: ctx.user?.id ?? 0 });
      if (assignees) w.push({ assignee: { $in: assignees } });
      if (f.statuses?.length) w.push({ status: { $in: f.statuses } });
      if (f.overdue) w.push({ status: { $in: [TaskStatus.OPEN, TaskStatus.IN_PROGRESS] }, dueAt: { $lt: new Date() } });
      return w;
    };
  },
});

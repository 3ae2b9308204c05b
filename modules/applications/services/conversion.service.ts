import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { authorize, findReadable, withEm, type Context } from '../../../api/context';
import { parseId } from '../../../api/ids';
import type { Request, Response } from 'express';
import { Content } from '../../contents/entities/content.entity';
import { Document } from '../../documents/entities/document.entity';
import { createDocumentIn, documentJson, receiveUpload } from '../../documents/services/document.service';
import { idempotent, linkService } from '../../links/services/link.service';
import type { CreateTaskInput } from '../../tasks/dto/task.input';
import { Task } from '../../tasks/entities/task.entity';
import { taskService } from '../../tasks/services/task.service';
import { Opportunity } from '../../opportunities/entities/opportunity.entity';
import { createOpportunityIn } from '../../opportunities/services/opportunity.service';
import { ServiceRequest } from '../../service-requests/entities/service-request.entities';
import { createServiceRequestIn } from '../../service-requests/services/service-request.service';
import type { OpportunityFromApplicationInput, ServiceRequestFromApplicationInput } from '../dto/conversion.input';
import { Application } from '../entities/application.entities';
import { forWrite, history, publish } from './application.service';

const APP = 'Application';

/**
 * What an application turns into or links to: tasks, knowledge contents (and service
 * requests and opportunities). Each operation is one transaction: the new record, the
 * link and the application's history entry are written together or not at all. With an
 * idempotency key, a retry returns the first result instead of a duplicate.
 */
export const conversionService = {
  /** Opens a task for the application and links it. */
  async addTask(ctx: Context, applicationId: string, input: CreateTaskInput, key?: string | null): Promise<Task> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const app = await forWrite(tctx, applicationId, 'update', undefined, 'applicationId');
      authorize(tctx, 'create', 'Task');
      const { id } = await idempotent(tctx, key, `addApplicationTask:${app.id}`, async () => {
        const task = await taskService.create(tctx, input);
        await linkService.link(tctx, { type: APP, id: app.id }, { type: 'Task', id: task.id });
        await changed(tctx, app, 'task', null, task.title, { type: 'Task', id: task.id });
        return task.id;
      });
      return em.findOneOrFail(Task, id);
    });
  },

  /**
   * "Add service request": a service request prefilled from the application (account,
   * reporter as contact, subscription, subject, detail, priority), linked both ways.
   */
  async toServiceRequest(ctx: Context, applicationId: string, input: ServiceRequestFromApplicationInput = {}, key?: string | null): Promise<ServiceRequest> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const app = await forWrite(tctx, applicationId, 'update', undefined, 'applicationId');
      const { id } = await idempotent(tctx, key, `convertApplicationToServiceRequest:${app.id}`, async () => {
        const sr = await createServiceRequestIn(tctx, {
          accountId: app.applicant.id,
          contactId: app.reporter?.id ?? null,
          subscriptionId: app.subscription?.id ?? null,
          subject: input.subject?.trim() || app.subject,
          detail: input.detail !== undefined ? input.detail : app.detail,
          priorityId: input.priorityId ?? app.priority.id,
          product: input.product ?? null,
          serialNumber: input.serialNumber ?? null,
          plannedDate: input.plannedDate ?? null,
          // The application's assignee carries over, so whoever works on it sees the request.
          assignee: input.assignee ?? {
            userId: app.assigneeUser ? String(app.assigneeUser.id) : null,
            teamId: app.assigneeTeam ? String(app.assigneeTeam.id) : null,
            everyone: app.assigneeEveryone,
          },
        });
        await linkService.link(tctx, { type: APP, id: app.id }, { type: 'ServiceRequest', id: sr.id });
        await changed(tctx, app, 'serviceRequest', null, (sr as { number?: string }).number ?? `#${sr.id}`, { type: 'ServiceRequest', id: sr.id });
        return sr.id;
      });
      return em.findOneOrFail(ServiceRequest, id);
    });
  },

  /** "Add opportunity": a sales opportunity for the applicant, linked to the application. */
  async toOpportunity(ctx: Context, applicationId: string, input: OpportunityFromApplicationInput, key?: string | null): Promise<Opportunity> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const app = await forWrite(tctx, applicationId, 'update', undefined, 'applicationId');
      const { id } = await idempotent(tctx, key, `convertApplicationToOpportunity:${app.id}`, async () => {
        const o = await createOpportunityIn(tctx, {
          accountId: app.applicant.id,
          contactId: app.reporter?.id ?? null,
          title: input.title?.trim() || app.subject,
          description: input.description !== undefined ? input.description : app.detail,
          expectedAmount: input.expectedAmount ?? null,
          currency: input.currency ?? null,
          probability: input.probability ?? null,
          expectedCloseDate: input.expectedCloseDate ?? null,
          campaignId: app.campaign?.id ?? null,
          projectId: app.project?.id ?? null,
        });
        await linkService.link(tctx, { type: APP, id: app.id }, { type: 'Opportunity', id: o.id });
        await changed(tctx, app, 'opportunity', null, o.title, { type: 'Opportunity', id: o.id });
        return o.id;
      });
      return em.findOneOrFail(Opportunity, id);
    });
  },

  /** Links an existing task the user may read. */
  async linkTask(ctx: Context, applicationId: string, taskId: string): Promise<Application> {
    return linkExisting(ctx, applicationId, Task, 'Task', taskId, 'taskId', (t) => t.title);
  },

  /** Links a knowledge content (a solution) the user may read. */
  async linkContent(ctx: Context, applicationId: string, contentId: string): Promise<Application> {
    return linkExisting(ctx, applicationId, Content, 'Content', contentId, 'contentId', (c) => c.title);
  },

  /** Links a document of the archive the user may read. */
  async linkDocument(ctx: Context, applicationId: string, documentId: string): Promise<Application> {
    return linkExisting(ctx, applicationId, Document, 'Document', documentId, 'documentId', (d) => d.name);
  },

  /**
   * POST /applications/:id/documents: uploads a file into the archive and links it, in one
   * transaction (the stored file is removed if the write fails). Permission is checked
   * before the upload is received.
   */
  async upload(ctx: Context, req: Request, res: Response): Promise<void> {
    const id = String(req.params.id);
    await forWrite(ctx, id, 'update', undefined, 'id');
    authorize(ctx, 'create', 'Document');
    const upload = await receiveUpload(ctx, req);
    const doc = await ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      try {
        const app = await forWrite(tctx, id, 'update');
        const d = await createDocumentIn(tctx, upload);
        await linkService.link(tctx, { type: APP, id: app.id }, { type: 'Document', id: d.id });
        await changed(tctx, app, 'document', null, d.name, { type: 'Document', id: d.id });
        return d;
      } catch (err) {
        upload.discard();
        throw err;
      }
    });
    res.status(201).json({ data: { document: documentJson(doc) } });
  },

  async unlink(ctx: Context, applicationId: string, type: 'Task' | 'Content' | 'Document', id: string): Promise<Application> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const app = await forWrite(tctx, applicationId, 'update', undefined, 'applicationId');
      // Only a record one may read can be unlinked (others' links stay as they are).
      const entity = { Task, Content, Document }[type] as new () => { id: number };
      const other = await findReadable(tctx, entity, type, parseId(id, `${type.toLowerCase()}Id`), { field: `${type.toLowerCase()}Id` });
      if (await linkService.unlink(tctx, { type: APP, id: app.id }, { type, id: other.id })) await changed(tctx, app, type.toLowerCase(), `#${other.id}`, null, { type, id: other.id });
      return app;
    });
  },
};

async function linkExisting<T extends { id: number }>(ctx: Context, applicationId: string, entity: new () => T, subject: string, otherId: string, field: string, label: (t: T) => string): Promise<Application> {
  return ctx.em.transactional(async (em) => {
    const tctx = withEm(ctx, em);
    const app = await forWrite(tctx, applicationId, 'update', undefined, 'applicationId');
    // NOT_FOUND for a record the user may not read, as for one that does not exist.
    const other = await findReadable(tctx, entity, subject, parseId(otherId, field), { field });
    if (await linkService.link(tctx, { type: APP, id: app.id }, { type: subject, id: other.id })) await changed(tctx, app, subject.toLowerCase(), null, label(other), { type: subject, id: other.id });
    return app;
  });
}

/** History entry, version bump and event for a change made through a link. */
export async function changed(ctx: Context, app: Application, field: string, oldValue: unknown, newValue: unknown, ref?: { type: string; id: number }): Promise<void> {
  const em = ctx.em as SqlEntityManager;
  history(em, app, ctx.user, field, oldValue, newValue, ref);
  app.updatedAt = new Date();
  await em.flush();
  await publish(ctx, em, 'changed', app);
}

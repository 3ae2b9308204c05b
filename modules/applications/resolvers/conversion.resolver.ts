import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../../api/context';
import { Content } from '../../contents/entities/content.entity';
import { Document } from '../../documents/entities/document.entity';
import { LinkedOf, linkedRecords } from '../../links/dto/linked.type';
import { CreateTaskInput } from '../../tasks/dto/task.input';
import { Task } from '../../tasks/entities/task.entity';
import { Opportunity } from '../../opportunities/entities/opportunity.entity';
import { ServiceRequest } from '../../service-requests/entities/service-request.entities';
import { OpportunityFromApplicationInput, ServiceRequestFromApplicationInput } from '../dto/conversion.input';
import { Application } from '../entities/application.entities';
import { conversionService } from '../services/conversion.service';

const LinkedTask = LinkedOf(Task, 'Task');
const LinkedContent = LinkedOf(Content, 'Content');
const LinkedDocument = LinkedOf(Document, 'Document');
const LinkedServiceRequest = LinkedOf(ServiceRequest, 'ServiceRequest');
const LinkedOpportunity = LinkedOf(Opportunity, 'Opportunity');
const LinkedApplication = LinkedOf(Application, 'Application');

const KEY = { nullable: true, description: 'Any unique string (a UUID): repeating the request with the same key returns the first result.' } as const;

@Resolver(() => Application)
export class ApplicationLinksResolver {
  @Mutation(() => Task, { description: "Opens a task for the application (its 'add task'), linked to it." })
  addApplicationTask(
    @Arg('applicationId', () => ID) applicationId: string,
    @Arg('input') input: CreateTaskInput,
    @Ctx() ctx: Context,
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ) {
    return conversionService.addTask(ctx, applicationId, input, idempotencyKey);
  }

  @Mutation(() => ServiceRequest, { description: "'Add service request': a service request prefilled from the application, linked both ways." })
  convertApplicationToServiceRequest(
    @Arg('applicationId', () => ID) applicationId: string,
    @Ctx() ctx: Context,
    @Arg('input', () => ServiceRequestFromApplicationInput, { nullable: true }) input?: ServiceRequestFromApplicationInput,
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ) {
    return conversionService.toServiceRequest(ctx, applicationId, input ?? {}, idempotencyKey);
  }

  @Mutation(() => Opportunity, { description: "'Add opportunity': a sales opportunity for the applicant, shown under the application's related opportunities." })
  convertApplicationToOpportunity(
    @Arg('applicationId', () => ID) applicationId: string,
    @Arg('input') input: OpportunityFromApplicationInput,
    @Ctx() ctx: Context,
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ) {
    return conversionService.toOpportunity(ctx, applicationId, input, idempotencyKey);
  }

  @FieldResolver(() => [LinkedServiceRequest], { description: 'Related service requests (item null when hidden from you).' })
  serviceRequests(@Root() a: Application, @Ctx() ctx: Context) {
    return linkedRecords(ctx, 'Application', a.id, ServiceRequest, 'ServiceRequest');
  }

  @FieldResolver(() => [LinkedOpportunity], { description: 'Related opportunities (item null when hidden from you).' })
  opportunities(@Root() a: Application, @Ctx() ctx: Context) {
    return linkedRecords(ctx, 'Application', a.id, Opportunity, 'Opportunity');
  }

  @Mutation(() => Application)
  linkTaskToApplication(@Arg('applicationId', () => ID) applicationId: string, @Arg('taskId', () => ID) taskId: string, @Ctx() ctx: Context) {
    return conversionService.linkTask(ctx, applicationId, taskId);
  }

  @Mutation(() => Application, { description: 'Links a knowledge content as a solution.' })
  linkContentToApplication(@Arg('applicationId', () => ID) applicationId: string, @Arg('contentId', () => ID) contentId: string, @Ctx() ctx: Context) {
    return conversionService.linkContent(ctx, applicationId, contentId);
  }

  @Mutation(() => Application)
  unlinkTaskFromApplication(@Arg('applicationId', () => ID) applicationId: string, @Arg('taskId', () => ID) taskId: string, @Ctx() ctx: Context) {
    return conversionService.unlink(ctx, applicationId, 'Task', taskId);
  }

  @Mutation(() => Application)
  unlinkContentFromApplication(@Arg('applicationId', () => ID) applicationId: string, @Arg('contentId', () => ID) contentId: string, @Ctx() ctx: Context) {
    return conversionService.unlink(ctx, applicationId, 'Content', contentId);
  }

  @Mutation(() => Application, { description: 'Links a document of the archive (upload new ones with POST /applications/:id/documents).' })
  linkDocumentToApplication(@Arg('applicationId', () => ID) applicationId: string, @Arg('documentId', () => ID) documentId: string, @Ctx() ctx: Context) {
    return conversionService.linkDocument(ctx, applicationId, documentId);
  }

  @Mutation(() => Application)
  unlinkDocumentFromApplication(@Arg('applicationId', () => ID) applicationId: string, @Arg('documentId', () => ID) documentId: string, @Ctx() ctx: Context) {
    return conversionService.unlink(ctx, applicationId, 'Document', documentId);
  }

  @FieldResolver(() => [LinkedDocument], { description: 'Linked documents (item null when hidden from you).' })
  documents(@Root() a: Application, @Ctx() ctx: Context) {
    return linkedRecords(ctx, 'Application', a.id, Document, 'Document');
  }

  @FieldResolver(() => [LinkedTask], { description: 'Linked tasks with their status (item null when hidden from you).' })
  tasks(@Root() a: Application, @Ctx() ctx: Context) {
    return linkedRecords(ctx, 'Application', a.id, Task, 'Task');
  }

  @FieldResolver(() => [LinkedContent], { description: 'Linked knowledge contents.' })
  contents(@Root() a: Application, @Ctx() ctx: Context) {
    return linkedRecords(ctx, 'Application', a.id, Content, 'Content');
  }
}

@Resolver(() => ServiceRequest)
export class ServiceRequestApplicationsResolver {
  @FieldResolver(() => [LinkedApplication], { description: 'Applications this service request came from.' })
  applications(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return linkedRecords(ctx, 'ServiceRequest', s.id, Application, 'Application');
  }
}

@Resolver(() => Opportunity)
export class OpportunityApplicationsResolver {
  @FieldResolver(() => [LinkedApplication], { description: 'Applications this opportunity came from.' })
  applications(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return linkedRecords(ctx, 'Opportunity', o.id, Application, 'Application');
  }
}

import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../../api/context';
import { crudResolver, relation } from '../../../api/crud';
import { intArray } from '../../../api/ids';
import { PageInput, PageOf } from '../../../api/pagination';
import { Account, Contact, Subscription } from '../../accounts/entities/account.entities';
import { AssigneeInput } from '../../applications/dto/application.input';
import { Team } from '../../identity/entities/team.entity';
import { User } from '../../identity/entities/user.entity';
import { Priority } from '../../reference/entities/reference.entities';
import { CreateServiceRequestInput, ServiceRequestFilter, ServiceRequestSort, UpdateServiceRequestInput } from '../dto/service-request.input';
import { ServiceRequest, ServiceRequestHistory } from '../entities/service-request.entities';
import { ServiceStage } from '../entities/service-stage.entity';
import { serviceRequestService } from '../services/service-request.service';
import { serviceStageService } from '../services/service-stage.service';

const ServiceRequestPage = PageOf(ServiceRequest, 'ServiceRequest');

@Resolver(() => ServiceRequest)
export class ServiceRequestResolver {
  @Query(() => ServiceRequestPage, { description: 'Service requests the viewer may read. Totals are exact up to LIST_COUNT_CAP (see totalExact).' })
  serviceRequests(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => ServiceRequestFilter, { nullable: true }) filter?: ServiceRequestFilter,
    @Arg('sort', () => [ServiceRequestSort], { nullable: true }) sort?: ServiceRequestSort[],
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ) {
    return serviceRequestService.list(ctx, filter, sort, page, info);
  }

  @Query(() => ServiceRequest)
  serviceRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return serviceRequestService.get(ctx, id);
  }

  @Mutation(() => ServiceRequest)
  createServiceRequest(@Arg('input') input: CreateServiceRequestInput, @Ctx() ctx: Context) {
    return serviceRequestService.create(ctx, input);
  }

  @Mutation(() => ServiceRequest)
  updateServiceRequest(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: UpdateServiceRequestInput, @Ctx() ctx: Context) {
    return serviceRequestService.update(ctx, id, version, input);
  }

  @Mutation(() => ServiceRequest, { description: 'Moves along an allowed transition; entering a closed stage sets closedAt, leaving one clears it.' })
  changeServiceRequestStage(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('stageId', () => ID) stageId: string, @Ctx() ctx: Context) {
    return serviceRequestService.changeStage(ctx, id, version, stageId);
  }

  @Mutation(() => ServiceRequest)
  assignServiceRequest(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: AssigneeInput, @Ctx() ctx: Context) {
    return serviceRequestService.assign(ctx, id, version, input);
  }

  @Mutation(() => ServiceRequest, { description: 'Service requests are never deleted; archived ones leave the lists.' })
  archiveServiceRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return serviceRequestService.archive(ctx, id);
  }

  // ---- relations: batched per page, and null when the viewer may not read the target ----
  @FieldResolver(() => Account, { nullable: true })
  account(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return relation(ctx, Account, 'Account', s.account);
  }

  @FieldResolver(() => Contact, { nullable: true })
  contact(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return relation(ctx, Contact, 'Contact', s.contact);
  }

  @FieldResolver(() => Subscription, { nullable: true })
  subscription(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return relation(ctx, Subscription, 'Subscription', s.subscription);
  }

  @FieldResolver(() => ServiceStage, { nullable: true })
  stage(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return relation(ctx, ServiceStage, 'ServiceStage', s.stage);
  }

  @FieldResolver(() => Priority, { nullable: true })
  priority(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return relation(ctx, Priority, 'Priority', s.priority);
  }

  @FieldResolver(() => User, { nullable: true })
  assigneeUser(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', s.assigneeUser);
  }

  @FieldResolver(() => Team, { nullable: true })
  assigneeTeam(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return relation(ctx, Team, 'Team', s.assigneeTeam);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', s.createdBy);
  }

  @FieldResolver(() => [ServiceRequestHistory], { description: 'Every change, newest first.' })
  history(@Root() s: ServiceRequest, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<number, ServiceRequestHistory[]>('ServiceRequest.history', async (ids) => {
        const rows = await ctx.em.find(ServiceRequestHistory, { serviceRequest: { $in: [...ids] } }, { orderBy: { at: 'desc', id: 'desc' } });
        return ids.map((id) => rows.filter((r) => r.serviceRequest.id === id));
      })
      .load(s.id);
  }
}

@Resolver(() => ServiceRequestHistory)
export class ServiceRequestHistoryResolver {
  @FieldResolver(() => User, { nullable: true })
  actor(@Root() h: ServiceRequestHistory, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', h.actor);
  }
}

// ---- service stages ----
export const ServiceStageCrudResolver = crudResolver(serviceStageService);

@Resolver(() => ServiceStage)
export class ServiceStageResolver {
  @FieldResolver(() => [ServiceStage], { description: 'Stages it may move to; empty means any.' })
  async allowedNext(@Root() s: ServiceStage, @Ctx() ctx: Context) {
    const rows = await ctx.loaders
      .get<number, number[]>('ServiceStage.allowedNext', async (ids) => {
        const r = await ctx.em.execute<{ from_stage_id: number; to_stage_id: number }[]>(
          'select from_stage_id, to_stage_id from service_stage_transitions where from_stage_id = any(?::int[]) order by to_stage_id',
          [intArray(ids)],
        );
        return ids.map((id) => r.filter((x) => Number(x.from_stage_id) === id).map((x) => Number(x.to_stage_id)));
      })
      .load(s.id);
    const stages = await ctx.loaders.byId(ServiceStage).loadMany(rows);
    return stages.filter((x): x is ServiceStage => !!x && !(x instanceof Error));
  }
}

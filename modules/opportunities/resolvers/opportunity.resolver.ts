import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Float, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../../api/context';
import { crudResolver, relation } from '../../../api/crud';
import { PageInput, PageOf } from '../../../api/pagination';
import { Account, Contact } from '../../accounts/entities/account.entities';
import { User } from '../../identity/entities/user.entity';
import { Campaign, Project } from '../../reference/entities/reference.entities';
import { CreateOpportunityInput, OpportunityFilter, OpportunityPipelineStage, OpportunitySort, UpdateOpportunityInput } from '../dto/opportunity.input';
import { Opportunity } from '../entities/opportunity.entity';
import { SalesStage } from '../entities/sales-stage.entity';
import { opportunityService } from '../services/opportunity.service';
import { salesStageService } from '../services/sales-stage.service';

const OpportunityPage = PageOf(Opportunity, 'Opportunity');

@Resolver(() => Opportunity)
export class OpportunityResolver {
  @Query(() => OpportunityPage, { description: 'Opportunities the viewer may read. Totals are exact up to LIST_COUNT_CAP (see totalExact).' })
  opportunities(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => OpportunityFilter, { nullable: true }) filter?: OpportunityFilter,
    @Arg('sort', () => [OpportunitySort], { nullable: true }) sort?: OpportunitySort[],
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ) {
    return opportunityService.list(ctx, filter, sort, page, info);
  }

  @Query(() => Opportunity)
  opportunity(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return opportunityService.get(ctx, id);
  }

  @Query(() => [OpportunityPipelineStage], { description: 'Per sales stage, in pipeline order: count, total and weighted amounts per currency of the opportunities you may read that match the filter.' })
  opportunityPipeline(@Ctx() ctx: Context, @Arg('filter', () => OpportunityFilter, { nullable: true }) filter?: OpportunityFilter) {
    return opportunityService.pipeline(ctx, filter);
  }

  @Mutation(() => Opportunity)
  createOpportunity(@Arg('input') input: CreateOpportunityInput, @Ctx() ctx: Context) {
    return opportunityService.create(ctx, input);
  }

  @Mutation(() => Opportunity)
  updateOpportunity(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: UpdateOpportunityInput, @Ctx() ctx: Context) {
    return opportunityService.update(ctx, id, version, input);
  }

  @Mutation(() => Opportunity, { description: "Moves to another stage; the probability becomes the stage's default. Entering a WON or LOST stage sets closedAt, going back to an open one clears it." })
  changeOpportunityStage(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('stageId', () => ID) stageId: string, @Ctx() ctx: Context) {
    return opportunityService.changeStage(ctx, id, version, stageId);
  }

  @Mutation(() => Opportunity, { description: 'Opportunities are never deleted; archived ones leave the lists and the pipeline.' })
  archiveOpportunity(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return opportunityService.archive(ctx, id);
  }

  // ---- relations: batched per page, and null when the viewer may not read the target ----
  @FieldResolver(() => Account, { nullable: true })
  account(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return relation(ctx, Account, 'Account', o.account);
  }

  @FieldResolver(() => Contact, { nullable: true })
  contact(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return relation(ctx, Contact, 'Contact', o.contact);
  }

  @FieldResolver(() => SalesStage, { nullable: true })
  stage(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return relation(ctx, SalesStage, 'SalesStage', o.stage);
  }

  @FieldResolver(() => User, { nullable: true })
  owner(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', o.owner);
  }

  @FieldResolver(() => Campaign, { nullable: true })
  campaign(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return relation(ctx, Campaign, 'Campaign', o.campaign);
  }

  @FieldResolver(() => Project, { nullable: true })
  project(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return relation(ctx, Project, 'Project', o.project);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', o.createdBy);
  }

  @FieldResolver(() => Float, { description: 'Expected amount × probability / 100, in `currency`, rounded to two decimals.' })
  weightedAmount(@Root() o: Opportunity) {
    return Math.round(Number(o.expectedAmount) * o.probability) / 100;
  }
}

@Resolver(() => OpportunityPipelineStage)
export class OpportunityPipelineResolver {
  @FieldResolver(() => SalesStage, { nullable: true })
  stage(@Root() row: OpportunityPipelineStage, @Ctx() ctx: Context) {
    return relation(ctx, SalesStage, 'SalesStage', row.stageRef);
  }
}

// ---- sales stages ----
export const SalesStageCrudResolver = crudResolver(salesStageService);

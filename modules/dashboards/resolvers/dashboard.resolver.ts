import { Repeater } from '@graphql-yoga/subscription';
import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../../api/context';
import { subscribeToSubject } from '../../../api/subscriptions';
import { StatKind, type StatsSource } from '../../applications/services/statistics.service';
import {
  Dashboard,
  DashboardCategoryCount,
  DashboardChange,
  DashboardCount,
  DashboardInput,
  DashboardMinutes,
  DashboardPeriod,
  DashboardTotals,
  DashboardWorkload,
} from '../dto/dashboard.types';
import { ExportFormat, ExportJob } from '../../exports/entities/export-job.entity';
import { exportDashboard } from '../services/dashboard-export';
import { dashboardService } from '../services/dashboard.service';

/** One prepared source per dashboard object, shared by its widgets. */
const sources = new WeakMap<Dashboard, Promise<StatsSource | null>>();

@Resolver(() => Dashboard)
export class DashboardResolver {
  @Query(() => Dashboard, { description: 'The manager dashboard: select the widgets you need; each costs one SQL statement.' })
  async dashboard(@Arg('input', () => DashboardInput) input: DashboardInput, @Ctx() ctx: Context): Promise<Dashboard> {
    const source = dashboardService.source(ctx, input);
    const src = await source;
    const d = Object.assign(new Dashboard(), { from: input.from, to: input.to, fromRollups: src?.fast ?? true, input });
    sources.set(d, source);
    return d;
  }

  @FieldResolver(() => DashboardTotals)
  async totals(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.totals(ctx, await sources.get(d)!);
  }

  @FieldResolver(() => [DashboardCount], { description: 'Per process stage, in stage order.' })
  async byStage(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.byStage(ctx, await sources.get(d)!);
  }

  @FieldResolver(() => [DashboardCategoryCount], { description: 'Per child of input.categoryParentId (or per top-level category), each with its subtree; most first.' })
  async byCategory(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.categoryCounts(ctx, await sources.get(d)!, d.input.categoryParentId);
  }

  @FieldResolver(() => [DashboardCount], { description: 'The accounts that applied most.' })
  async topAccounts(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.top(ctx, await sources.get(d)!, StatKind.APPLICANT, d.input.top);
  }

  @FieldResolver(() => [DashboardCount], { description: 'The projects with most applications.' })
  async topProjects(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.top(ctx, await sources.get(d)!, StatKind.PROJECT, d.input.top);
  }

  @FieldResolver(() => [DashboardWorkload], { description: 'Per assigned user (id null: no user).' })
  async byAssignee(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.workload(ctx, await sources.get(d)!, 'user');
  }

  @FieldResolver(() => [DashboardWorkload], { description: 'Per assigned team (id null: no team).' })
  async byTeam(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.workload(ctx, await sources.get(d)!, 'team');
  }

  @FieldResolver(() => [DashboardMinutes], { description: 'Minutes per user who entered them.' })
  async timeByUser(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.minutes(ctx, await sources.get(d)!, StatKind.TIME_USER, d.input.top);
  }

  @FieldResolver(() => [DashboardMinutes], { description: 'Minutes per category (children of input.categoryParentId).' })
  async timeByCategory(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.categoryMinutes(ctx, await sources.get(d)!, d.input.categoryParentId);
  }

  @FieldResolver(() => [DashboardMinutes], { description: 'Minutes per project (id null: none).' })
  async timeByProject(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.minutes(ctx, await sources.get(d)!, StatKind.TIME_PROJECT, d.input.top);
  }

  @FieldResolver(() => [DashboardMinutes], { description: 'The accounts most time went to (input.top of them).' })
  async timeByAccount(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.minutes(ctx, await sources.get(d)!, StatKind.TIME_ACCOUNT, d.input.top);
  }

  @FieldResolver(() => [DashboardPeriod], { description: 'Applications opened and closed per period (input.granularity), every period of the range.' })
  async timeline(@Root() d: Dashboard, @Ctx() ctx: Context) {
    return dashboardService.timeline(ctx, await sources.get(d)!, d.input);
  }

  @Mutation(() => ExportJob, {
    description: 'The dashboard to PDF (every widget you may read, charts drawn as vector graphics, and their tables) or its tables to Excel (a sheet per widget), as a background job: follow it with exportJobChanged.',
  })
  exportDashboard(@Arg('input', () => DashboardInput) input: DashboardInput, @Arg('format', () => ExportFormat) format: ExportFormat, @Ctx() ctx: Context) {
    return exportDashboard(ctx, input, format);
  }

  @Subscription(() => DashboardChange, {
    description: 'Applications you may read changed: fetch the dashboard again. Bursts are coalesced (at most one notice per 500 ms, the last within 500 ms of the change).',
    subscribe: ({ context }) => coalesce(subscribeToSubject(context as Context, 'Application'), 500),
  })
  dashboardChanged(@Root() change: DashboardChange): DashboardChange {
    return change;
  }
}

/** At most one notice per `ms`; a change is never more than `ms` old when notified. */
function coalesce(source: AsyncIterable<unknown>, ms: number): AsyncIterable<DashboardChange> {
  return new Repeater<DashboardChange>(async (push, stop) => {
    let pending = 0;
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      timer = null;
      if (pending) void push({ at: new Date(), changes: pending });
      pending = 0;
    };
    const it = source[Symbol.asyncIterator]();
    let done = false;
    const stopped = stop.then(() => ({ done: true as const, value: undefined }));
    void stop.then(() => {
      done = true;
      if (timer) clearTimeout(timer);
      void it.return?.();
    });
    while (!done) {
      // One promise for the whole loop: a `stop.then()` per event would stay attached to `stop`
      // until the subscription ends (memory growing with every event).
      const next = await Promise.race([it.next(), stopped]);
      if (next.done) break;
      pending++;
      if (!timer) timer = setTimeout(flush, ms);
    }
  });
}

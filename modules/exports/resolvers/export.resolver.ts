import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Repeater } from '@graphql-yoga/subscription';
import type { Context } from '../../../api/context';
import { parseId } from '../../../api/ids';
import { subscribeToSubject } from '../../../api/subscriptions';
import { ApplicationExportInput } from '../dto/export.input';
import { ExportJob } from '../entities/export-job.entity';
import { ImportReport } from '../dto/import.types';
import { exportService } from '../services/export.service';
import { applyImport } from '../services/import.service';
import { jobService } from '../services/job.service';

@Resolver(() => ExportJob)
export class ExportJobResolver {
  @Query(() => ExportJob, { description: 'One of your exports or imports.' })
  exportJob(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return jobService.get(ctx, id);
  }

  @Query(() => [ExportJob], { description: 'Your recent exports and imports, newest first.' })
  exportJobs(@Ctx() ctx: Context, @Arg('limit', () => Int, { nullable: true }) limit?: number) {
    return jobService.mine(ctx, limit ?? 50);
  }

  @Mutation(() => ExportJob, { description: 'Exports the application list (filter and sort as in `applications`, or the selected ids) to Excel or PDF in the background.' })
  exportApplications(@Arg('input', () => ApplicationExportInput) input: ApplicationExportInput, @Ctx() ctx: Context) {
    return exportService.applications(ctx, input);
  }

  @Mutation(() => ExportJob, { description: "One application's full record (fields, follow-ups, time entries, links) to PDF, in the background." })
  exportApplication(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return exportService.application(ctx, id);
  }

  @Mutation(() => ExportJob, { description: 'Stops one of your queued or running jobs; it keeps no file.' })
  cancelExportJob(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return jobService.cancel(ctx, id);
  }

  @Subscription(() => ExportJob, {
    description: 'Progress of your exports and imports (one, or all of yours without id).',
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      const source = subscribeToSubject(ctx, 'ExportJob', args.id ? parseId(args.id, 'id') : undefined);
      const me = ctx.user!.id;
      // Only the owner's jobs, administrators included.
      return new Repeater(async (push, stop) => {
        const it = source[Symbol.asyncIterator]();
        let done = false;
        void stop.then(() => {
          done = true;
          void it.return?.();
        });
        while (!done) {
          const next = await it.next();
          if (next.done) break;
          const rec = next.value.record as ExportJob;
          if (rec.owner.id === me) await push(next.value);
        }
        stop();
      });
    },
  })
  exportJobChanged(@Root() event: { record: ExportJob }, @Arg('id', () => ID, { nullable: true }) _id?: string): ExportJob {
    return event.record;
  }

  @Mutation(() => ExportJob, { description: 'Writes the valid rows of a validated import (the job POST /imports started) in one transaction, as a new job.' })
  applyImport(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return applyImport(ctx, id);
  }

  @FieldResolver(() => ImportReport, { nullable: true, description: 'For imports: the per-row report, once the job is done.' })
  importReport(@Root() job: ExportJob): ImportReport | null {
    return job.kind.startsWith('import.') && job.result ? (job.result as unknown as ImportReport) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'A signed download link (no session needed) until expiresAt; only for the owner of a finished job.' })
  downloadUrl(@Root() job: ExportJob, @Ctx() ctx: Context) {
    return jobService.downloadUrl(ctx, job);
  }
}

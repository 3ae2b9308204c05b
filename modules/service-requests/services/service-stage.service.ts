import { crudService, givenFields } from '../../../api/crud';
import type { Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { parseIds } from '../../../api/ids';
import { CreateServiceStageInput, ServiceStageFilter, ServiceStageSort, UpdateServiceStageInput } from '../dto/service-request.input';
import { ServiceStage } from '../entities/service-stage.entity';


async function stagesByIds(ctx: Context, ids: string[] | undefined, exceptId?: number): Promise<ServiceStage[] | undefined> {
  if (ids === undefined || ids === null) return undefined;
  const parsed = parseIds(ids, 'input.allowedNextStageIds');
  if (exceptId && parsed.includes(exceptId)) throw new BadInputError('input.allowedNextStageIds', 'A stage cannot list itself as its next stage.');
  const rows = parsed.length ? await ctx.em.find(ServiceStage, { id: { $in: parsed }, archivedAt: null }) : [];
  const missing = parsed.findIndex((id) => !rows.some((r) => r.id === id));
  if (missing >= 0) throw new BadInputError(`input.allowedNextStageIds.${missing}`, `No such service stage: ${parsed[missing]}.`, 'NOT_FOUND_REFERENCE');
  return rows;
}

/** Only one initial stage: setting one clears the others. */
async function oneInitial(ctx: Context, stage: ServiceStage) {
  if (stage.isInitial) await ctx.em.nativeUpdate(ServiceStage, { id: { $ne: stage.id }, isInitial: true }, { isInitial: false });
}

/** Service stages (administrator-kept): `serviceStages`, `createServiceStage`, `updateServiceStage`, `archiveServiceStage`. */
export const serviceStageService = crudService<ServiceStage, CreateServiceStageInput, UpdateServiceStageInput, ServiceStageFilter>({
  entity: ServiceStage,
  subject: 'ServiceStage',
  name: 'ServiceStage',
  plural: 'serviceStages',
  CreateInput: CreateServiceStageInput,
  UpdateInput: UpdateServiceStageInput,
  Filter: ServiceStageFilter,
  Sort: ServiceStageSort,
  defaultSort: [{ field: 'sortOrder' }, { field: 'name' }],
  searchColumns: ['name'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  fieldOf: (k) => (k === 'allowedNextStageIds' ? 'allowedNext' : k),
  async fromCreate(ctx, input) {
    return { ...givenFields(input, ['allowedNextStageIds']), allowedNext: (await stagesByIds(ctx, input.allowedNextStageIds)) ?? [] };
  },
  async fromUpdate(ctx, input, existing) {
    const data = givenFields(input, ['allowedNextStageIds']);
    const next = await stagesByIds(ctx, input.allowedNextStageIds, existing.id);
    if (next) {
      await existing.allowedNext.init();
      existing.allowedNext.set(next);
    }
    return data;
  },
  afterWrite: (ctx, r) => oneInitial(ctx, r),
  filterWhere: async (_ctx, f) => () => (f.closed !== undefined && f.closed !== null ? [{ closed: f.closed }] : []),
});

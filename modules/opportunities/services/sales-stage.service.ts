import { crudService } from '../../../api/crud';
import { CreateSalesStageInput, SalesStageFilter, SalesStageSort, UpdateSalesStageInput } from '../dto/opportunity.input';
import { SalesStage } from '../entities/sales-stage.entity';

function given(input: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

/** The sales pipeline (administrator-kept): `salesStages`, `createSalesStage`, `updateSalesStage`, `archiveSalesStage`. */
export const salesStageService = crudService<SalesStage, CreateSalesStageInput, UpdateSalesStageInput, SalesStageFilter>({
  entity: SalesStage,
  subject: 'SalesStage',
  name: 'SalesStage',
  plural: 'salesStages',
  CreateInput: CreateSalesStageInput,
  UpdateInput: UpdateSalesStageInput,
  Filter: SalesStageFilter,
  Sort: SalesStageSort,
  defaultSort: [{ field: 'sortOrder' }, { field: 'name' }],
  searchColumns: ['name'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  fromCreate: async (_ctx, input) => given(input),
  fromUpdate: async (_ctx, input) => given(input),
  filterWhere: async (_ctx, f) => () => (f.outcome ? [{ outcome: f.outcome }] : []),
});

import { crudService, givenFields } from '../../../api/crud';
import { CreateSalesStageInput, SalesStageFilter, SalesStageSort, UpdateSalesStageInput } from '../dto/opportunity.input';
import { SalesStage } from '../entities/sales-stage.entity';


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
  fromCreate: async (_ctx, input) => givenFields(input),
  fromUpdate: async (_ctx, input) => givenFields(input),
  filterWhere: async (_ctx, f) => () => (f.outcome ? [{ outcome: f.outcome }] : []),
});

import type { FilterQuery } from '@mikro-orm/core';
import { crudService, givenFields } from '../../../api/crud';
import type { Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import {
  CreateBranchInput,
  CreateCampaignInput,
  CreateContactChannelInput,
  CreatePriorityInput,
  CreateProjectInput,
  ReferenceFilter,
  UpdateBranchInput,
  UpdateCampaignInput,
  UpdateContactChannelInput,
  UpdatePriorityInput,
  UpdateProjectInput,
  ReferenceSort,
} from '../dto/reference.input';
import { Branch, Campaign, ContactChannel, Priority, Project } from '../entities/reference.entities';


function checkDates(start: string | null | undefined, end: string | null | undefined) {
  if (start && end && end < start) throw new BadInputError('input.endDate', 'The end date is before the start date.', 'DATE_ORDER');
}

/** Only one default: setting one clears the others. */
async function oneDefault(ctx: Context, entity: typeof Priority | typeof ContactChannel, record: { id: number; isDefault: boolean }) {
  if (record.isDefault) await ctx.em.nativeUpdate(entity, { id: { $ne: record.id }, isDefault: true } as FilterQuery<never>, { isDefault: false } as never);
}

const common = { Filter: ReferenceFilter, Sort: ReferenceSort, defaultSort: [{ field: 'sortOrder' }, { field: 'name' }] };

export const priorityService = crudService<Priority, CreatePriorityInput, UpdatePriorityInput, ReferenceFilter>({
  ...common,
  entity: Priority,
  CreateInput: CreatePriorityInput,
  UpdateInput: UpdatePriorityInput,
  subject: 'Priority',
  name: 'Priority',
  plural: 'priorities',
  searchColumns: ['name'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  fromCreate: async (_ctx, input) => givenFields(input),
  fromUpdate: async (_ctx, input) => givenFields(input),
  afterWrite: (ctx, r) => oneDefault(ctx, Priority, r),
});

export const contactChannelService = crudService<ContactChannel, CreateContactChannelInput, UpdateContactChannelInput, ReferenceFilter>({
  ...common,
  entity: ContactChannel,
  CreateInput: CreateContactChannelInput,
  UpdateInput: UpdateContactChannelInput,
  subject: 'ContactChannel',
  name: 'ContactChannel',
  plural: 'contactChannels',
  searchColumns: ['name', 'code'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  async fromCreate(ctx, input) {
    if (await ctx.em.findOne(ContactChannel, { code: input.code })) throw new BadInputError('input.code', 'Another channel already has this code.', 'NOT_UNIQUE');
    return givenFields(input);
  },
  async fromUpdate(ctx, input, existing) {
    if (input.code && (await ctx.em.findOne(ContactChannel, { code: input.code, id: { $ne: existing.id } }))) throw new BadInputError('input.code', 'Another channel already has this code.', 'NOT_UNIQUE');
    return givenFields(input);
  },
  afterWrite: (ctx, r) => oneDefault(ctx, ContactChannel, r),
});

export const branchService = crudService<Branch, CreateBranchInput, UpdateBranchInput, ReferenceFilter>({
  ...common,
  entity: Branch,
  CreateInput: CreateBranchInput,
  UpdateInput: UpdateBranchInput,
  subject: 'Branch',
  name: 'Branch',
  plural: 'branches',
  searchColumns: ['name', 'code', 'city'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  fromCreate: async (_ctx, input) => givenFields(input),
  fromUpdate: async (_ctx, input) => givenFields(input),
});

const dated = {
  fromCreate: async (_ctx: Context, input: CreateProjectInput) => {
    checkDates(input.startDate, input.endDate);
    return givenFields(input);
  },
  fromUpdate: async (_ctx: Context, input: UpdateProjectInput, existing: Project | Campaign) => {
    checkDates(input.startDate !== undefined ? input.startDate : existing.startDate, input.endDate !== undefined ? input.endDate : existing.endDate);
    return givenFields(input);
  },
};

export const projectService = crudService<Project, CreateProjectInput, UpdateProjectInput, ReferenceFilter>({
  ...common,
  ...dated,
  entity: Project,
  CreateInput: CreateProjectInput,
  UpdateInput: UpdateProjectInput,
  subject: 'Project',
  name: 'Project',
  plural: 'projects',
  searchColumns: ['name', 'code'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  defaultSort: [{ field: 'name' }],
});

export const campaignService = crudService<Campaign, CreateCampaignInput, UpdateCampaignInput, ReferenceFilter>({
  ...common,
  ...dated,
  entity: Campaign,
  CreateInput: CreateCampaignInput,
  UpdateInput: UpdateCampaignInput,
  subject: 'Campaign',
  name: 'Campaign',
  plural: 'campaigns',
  searchColumns: ['name', 'code'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  defaultSort: [{ field: 'name' }],
});

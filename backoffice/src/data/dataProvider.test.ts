import { describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { GET_LIST, GET_MANY_REFERENCE, UPDATE, CREATE, DELETE, GET_ONE } from 'react-admin';
import { buildQuery, shapeInput, withIds } from './dataProvider';
import { argType } from './schema';
import type { GraphQLInputObjectType } from 'graphql';

const build = buildQuery({} as never);
const op = (type: string, resource: string, params: unknown) => {
  const q = build(type, resource, params) as any;
  return { text: print(q.query), variables: q.variables, parse: q.parseResponse };
};

describe('the data provider maps react-admin onto the API (from schema/schema.graphql)', () => {
  it('lists with the filter the schema knows, react-admin pages and a known sort field', () => {
    const { text, variables } = op(GET_LIST, 'applications', {
      filter: { q: 'İade', stageIds: '3', unknownKey: 1, applicationDate: { from: '2026-03-05' } },
      pagination: { page: 3, perPage: 25 },
      sort: { field: 'applicationDate', order: 'DESC' },
    });
    expect(text).toContain('applications(filter: $filter, page: $page, sort: $sort)');
    expect(variables.filter).toEqual({ search: 'İade', stageIds: ['3'], applicationDate: { from: new Date('2026-03-05T00:00:00').toISOString() } });
    expect(variables.page).toEqual({ limit: 25, offset: 50 });
    expect(variables.sort).toEqual([{ field: 'applicationDate', direction: 'DESC' }]);
  });

  it('drops a sort the API does not offer', () => {
    const { variables, text } = op(GET_LIST, 'applications', { filter: {}, pagination: { page: 1, perPage: 10 }, sort: { field: 'id', order: 'ASC' } });
    expect(variables.sort).toBeUndefined();
    expect(text).not.toContain('$sort');
  });

  it('references filter by the target key', () => {
    const { variables } = op(GET_MANY_REFERENCE, 'contacts', { target: 'accountId', id: 7, filter: {}, pagination: { page: 1, perPage: 5 }, sort: {} });
    expect(variables.filter).toEqual({ accountId: '7' });
  });

  it('updates send only the changed fields, with the version read', () => {
    const { text, variables } = op(UPDATE, 'accounts', {
      id: 4,
      data: { id: 4, name: 'Işık Ltd.', city: 'İzmir', version: 3, region: { id: '1' }, regionId: '2' },
      previousData: { id: 4, name: 'Işık Ltd.', city: 'Ankara', version: 3, region: { id: '1' }, regionId: '1' },
    });
    expect(text).toContain('updateAccount(id: $id, input: $input, version: $version)');
    expect(variables).toEqual({ id: '4', version: 3, input: { city: 'İzmir', regionId: '2' } });
  });

  it('creates with the input type only, nested inputs included', () => {
    const { variables } = op(CREATE, 'applications', { data: { subject: 'Fatura', applicantId: 1, categoryId: '2', assignee: { userId: 5, teamId: '' }, stage: { id: 1 } } });
    expect(variables.input).toEqual({ subject: 'Fatura', applicantId: '1', categoryId: '2', assignee: { userId: '5' } });
  });

  it('archives instead of deleting', () => {
    const { text } = op(DELETE, 'applications', { id: 9, previousData: { id: 9 } });
    expect(text).toContain('archiveApplication(id: $id)');
  });

  it('detail pages ask for their relations', () => {
    const { text } = op(GET_ONE, 'applications', { id: 1 });
    expect(text).toContain('followUps');
    expect(text).toContain('allowedNext');
  });

  it('lists without pages (roles) are paged here', () => {
    const { text, parse } = op(GET_LIST, 'roles', { filter: {}, pagination: { page: 2, perPage: 1 }, sort: {} });
    expect(text).toContain('roles(includeArchived: $includeArchived)');
    expect(parse({ data: { data: [{ id: '1' }, { id: '2' }] } })).toMatchObject({ data: [{ id: '2' }], total: 2 });
  });

  it('value objects lose fields their input does not have (__typename of grants)', () => {
    const input = argType('Mutation', 'updateRole', 'input') as GraphQLInputObjectType;
    expect(shapeInput(input, { grants: [{ __typename: 'Grant', subject: 'Application', action: 'read', scope: 'team', fields: null, inverted: false }] })).toEqual({
      grants: [{ subject: 'Application', action: 'read', scope: 'team', fields: null, inverted: false }],
    });
  });

  it('records get ids beside their relations for forms', () => {
    expect(withIds({ id: '1', stage: { id: '2' }, members: [{ id: '3' }, { id: '4' }], allowedNext: [{ id: '5' }], assigneeUser: null, assigneeTeam: { id: '6' }, assigneeEveryone: false })).toMatchObject({
      stageId: '2',
      memberIds: ['3', '4'],
      allowedNextStageIds: ['5'],
      assignee: { userId: null, teamId: '6', everyone: false },
    });
  });
});

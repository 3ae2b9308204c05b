import type { FilterQuery } from '@mikro-orm/core';
import { subjectDefinitions } from '../../../api/ability';
import { assertVersion, authorize, findReadable, scoped, type Context, withEm } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { parseId } from '../../../api/ids';
import { SCOPES, type Grant } from '../../../api/module';
import type { CreateRoleInput, GrantInput, UpdateRoleInput } from '../dto/role.input';
import { Role } from '../entities/role.entity';

const SUBJECT = 'Role';

/** Checks each grant against what the modules declare: known subject, action, scope and fields. */
export function validateGrants(grants: GrantInput[], field = 'input.grants'): Grant[] {
  return grants.map((g, i) => {
    const path = `${field}.${i}`;
    const def = g.subject === 'all' ? null : subjectDefinitions.get(g.subject);
    if (g.subject !== 'all' && !def) throw new BadInputError(`${path}.subject`, `Unknown subject "${g.subject}". Known: all, ${[...subjectDefinitions.keys()].sort().join(', ')}.`);
    if (g.action !== 'manage' && def && !def.actions.includes(g.action)) {
      throw new BadInputError(`${path}.action`, `Unknown action "${g.action}" for ${g.subject}. Known: manage, ${def.actions.join(', ')}.`);
    }
    if (!SCOPES.includes(g.scope)) throw new BadInputError(`${path}.scope`, 'Scope must be own, team or all.');
    if (g.fields?.length) {
      if (!def?.fields) throw new BadInputError(`${path}.fields`, `${g.subject} has no field-level permissions.`);
      const bad = g.fields.find((f) => !def.fields!.includes(f));
      if (bad) throw new BadInputError(`${path}.fields`, `Unknown field "${bad}" of ${g.subject}. Known: ${def.fields.join(', ')}.`);
    }
    const out: Grant = { subject: g.subject, action: g.action, scope: g.scope };
    if (g.fields?.length) out.fields = [...new Set(g.fields)];
    if (g.inverted) out.inverted = true;
    return out;
  });
}

async function assertNameFree(ctx: Context, name: string, exceptId?: number) {
  const other = await ctx.em.findOne(Role, { name, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (other) throw new BadInputError('input.name', 'Another role already has this name.', 'NOT_UNIQUE');
}

export const roleService = {
  async list(ctx: Context, includeArchived = false): Promise<Role[]> {
    const where = scoped<Role>(ctx, 'read', SUBJECT, includeArchived ? {} : ({ archivedAt: null } as FilterQuery<Role>));
    return where ? ctx.em.find(Role, where, { orderBy: { builtIn: 'desc', name: 'asc' } }) : [];
  },

  get(ctx: Context, id: string) {
    return findReadable(ctx, Role, SUBJECT, parseId(id, 'id'));
  },

  async create(ctx: Context, input: CreateRoleInput): Promise<Role> {
    authorize(ctx, 'create', SUBJECT);
    const grants = validateGrants(input.grants);
    return ctx.em.transactional(async (em) => {
      await assertNameFree(withEm(ctx, em), input.name.trim());
      const role = em.create(Role, { name: input.name.trim(), description: input.description ?? null, grants, builtIn: false });
      await em.flush();
      await ctx.events.publish(em, { type: 'Role.created', subject: SUBJECT, id: role.id, actorId: ctx.user?.id });
      return role;
    });
  },

  async update(ctx: Context, id: string, version: number, input: UpdateRoleInput): Promise<Role> {
    const roleId = parseId(id, 'id');
    return ctx.em.transactional(async (em) => {
      const role = await findReadable(withEm(ctx, em), Role, SUBJECT, roleId, { forUpdate: true });
      authorize(withEm(ctx, em), 'update', SUBJECT, role);
      assertVersion(SUBJECT, role, version);
      if (input.name !== undefined) {
        await assertNameFree(withEm(ctx, em), input.name.trim(), roleId);
        role.name = input.name.trim();
      }
      if (input.description !== undefined) role.description = input.description;
      if (input.grants) {
        if (role.key === 'administrator') throw new BadInputError('input.grants', 'The administrator role always has every permission.');
        role.grants = validateGrants(input.grants);
      }
      role.updatedAt = new Date();
      await em.flush();
      await ctx.events.publish(em, { type: 'Role.changed', subject: SUBJECT, id: role.id, actorId: ctx.user?.id });
      return role;
    });
  },

  async archive(ctx: Context, id: string): Promise<Role> {
    const roleId = parseId(id, 'id');
    return ctx.em.transactional(async (em) => {
      const role = await findReadable(withEm(ctx, em), Role, SUBJECT, roleId, { forUpdate: true });
      authorize(withEm(ctx, em), 'archive', SUBJECT, role);
      if (role.builtIn) throw new BadInputError('id', 'Built-in roles cannot be archived.');
      if (!role.archivedAt) {
        role.archivedAt = new Date();
        await em.flush();
        await ctx.events.publish(em, { type: 'Role.archived', subject: SUBJECT, id: role.id, actorId: ctx.user?.id });
      }
      return role;
    });
  },
};

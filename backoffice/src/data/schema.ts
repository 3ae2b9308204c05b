import {
  buildSchema,
  getNamedType,
  getNullableType,
  introspectionFromSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import sdl from '../../../schema/schema.graphql?raw';

/**
 * The committed contract (schema/schema.graphql), bundled at build time: the data provider
 * reads it instead of introspecting a server.
 */
export const schema = buildSchema(sdl);
export const introspection = introspectionFromSchema(schema).__schema;

const LABELS = ['id', 'name', 'number', 'subject', 'title', 'fullName', 'email', 'fileName', 'key', 'level', 'color', 'closed'];
/** Lists too heavy or too private for a generic record; detail pages ask for them explicitly. */
const SKIP = new Set(['history', 'followUps', 'timeEntries', 'path']);

export function objectType(name: string): GraphQLObjectType {
  const t = schema.getType(name);
  if (!isObjectType(t)) throw new Error(`${name} is not an object type in schema.graphql`);
  return t;
}

const needsArgs = (f: GraphQLField<unknown, unknown>) => f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

function labelSelection(t: GraphQLObjectType): string {
  const fields = t.getFields();
  if ('item' in fields) {
    const item = getNamedType(fields.item.type);
    if (isObjectType(item)) return `id item { ${labelSelection(item)} }`;
  }
  // A value object (no id, e.g. a grant) comes whole; a record comes by its label fields.
  const picked = 'id' in fields ? LABELS.filter((l) => l in fields && !isObjectType(getNamedType(fields[l].type))) : [];
  if (picked.length) return picked.join(' ');
  return Object.values(fields)
    .filter((f) => !needsArgs(f) && !isObjectType(getNamedType(f.type)))
    .map((f) => f.name)
    .join(' ');
}

/**
 * The selection set of a type: its scalar fields and, for relations, their label fields.
 * `list` leaves out relations that are lists (a list row shows single relations only).
 */
export function selectionOf(typeName: string, mode: 'list' | 'one'): string {
  const t = objectType(typeName);
  const out: string[] = [];
  for (const f of Object.values(t.getFields())) {
    if (f.args.length || SKIP.has(f.name)) continue;
    const named = getNamedType(f.type);
    if (isScalarType(named) || isEnumType(named)) {
      out.push(f.name);
      continue;
    }
    if (!isObjectType(named)) continue;
    const many = isListType(getNullableType(f.type));
    if (many && mode === 'list' && !['roles', 'teams', 'grants', 'allowedNext'].includes(f.name)) continue;
    out.push(`${f.name} { ${labelSelection(named)} }`);
  }
  return out.join(' ');
}

/** The named input type of an argument of a root field. */
export function argType(root: 'Query' | 'Mutation', field: string, arg: string) {
  const f = (root === 'Query' ? schema.getQueryType() : schema.getMutationType())!.getFields()[field];
  const a = f?.args.find((x) => x.name === arg);
  return a ? getNamedType(a.type) : undefined;
}

export function rootField(root: 'Query' | 'Mutation', field: string) {
  return (root === 'Query' ? schema.getQueryType() : schema.getMutationType())!.getFields()[field];
}

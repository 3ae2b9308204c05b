import type { ComponentType, ReactElement } from 'react';
import { Chip } from '@mui/material';
import {
  AutocompleteArrayInput,
  AutocompleteInput,
  BooleanField,
  BooleanInput,
  ChipField,
  Create,
  CreateButton,
  DatagridConfigurable,
  DateInput,
  DateTimeInput,
  ExportButton,
  FilterButton,
  FunctionField,
  List,
  NumberField,
  NumberInput,
  ReferenceArrayInput,
  ReferenceInput,
  SearchInput,
  SelectColumnsButton,
  SelectInput,
  SimpleForm,
  SimpleShowLayout,
  Show,
  TextField,
  TextInput,
  TopToolbar,
  required,
  useTranslate,
  ArrayField,
  SingleFieldList,
  EditButton,
  PasswordInput,
} from 'react-admin';
import { ConflictEdit } from '../components/ConflictEdit';
import { GrantsInput } from '../components/GrantsInput';
import { LocaleDateField, MinutesField } from '../components/fields';
import { TagsInput } from '../components/TagsInput';
import { trCollator } from '../i18n';

export interface FieldSpec {
  source: string;
  kind?: 'text' | 'long' | 'bool' | 'int' | 'number' | 'color' | 'date' | 'datetime' | 'ref' | 'refs' | 'select' | 'minutes' | 'tags' | 'grants' | 'password';
  reference?: string;
  /** The record's relation shown in lists (e.g. `region` for `regionId`). */
  relation?: string;
  choices?: string[];
  /** Translation prefix for choices (`app.status` → app.status.OPEN). */
  choicePrefix?: string;
  required?: boolean;
  /** Shown as a list column (default true for scalar fields). */
  list?: boolean;
  /** Only in the create form. */
  createOnly?: boolean;
  /** Shown, never edited. */
  readOnly?: boolean;
  /** The create form's starting value (an `active` switch starts on: new records are active). */
  defaultValue?: unknown;
  /** A filter of the list. */
  filter?: boolean;
  /** How a referenced record reads: a field name, or a function (role names are translated). */
  optionText?: string | ((record: any) => string);
  /** How the value reads in lists and pages, when not as stored. */
  display?: (record: any) => string;
}

function ChoiceInput({ spec }: { spec: FieldSpec }) {
  const translate = useTranslate();
  const choices = (spec.choices ?? []).map((c) => ({ id: c, name: spec.choicePrefix ? translate(`${spec.choicePrefix}.${c}`) : c })).sort((a, b) => trCollator.compare(a.name, b.name));
  return <SelectInput source={spec.source} choices={choices} validate={spec.required ? required() : undefined} />;
}

/** New records are active unless the user says otherwise (react-admin's switch starts off). */
const startValue = (spec: FieldSpec) => spec.defaultValue ?? (spec.kind === 'bool' && spec.source === 'active' ? true : undefined);

export function inputFor(spec: FieldSpec): ReactElement {
  const el = inputOf(spec);
  const defaultValue = startValue(spec);
  return defaultValue === undefined ? el : ({ ...el, props: { ...(el.props as object), defaultValue } } as ReactElement);
}

function inputOf(spec: FieldSpec): ReactElement {
  const v = spec.required ? required() : undefined;
  const sort = { field: 'name', order: 'ASC' } as const;
  switch (spec.kind ?? 'text') {
    case 'long':
      return <TextInput key={spec.source} source={spec.source} multiline minRows={4} fullWidth validate={v} />;
    case 'bool':
      return <BooleanInput key={spec.source} source={spec.source} />;
    case 'int':
    case 'number':
    case 'minutes':
      return <NumberInput key={spec.source} source={spec.source} validate={v} />;
    case 'color':
      return <TextInput key={spec.source} source={spec.source} type="color" sx={{ width: 120 }} />;
    case 'date':
      return <DateInput key={spec.source} source={spec.source} validate={v} />;
    case 'datetime':
      return <DateTimeInput key={spec.source} source={spec.source} validate={v} />;
    case 'ref':
      return (
        <ReferenceInput key={spec.source} source={spec.source} reference={spec.reference!} sort={sort} perPage={50}>
          <AutocompleteInput optionText={spec.optionText ?? 'name'} validate={v} sx={{ minWidth: 280 }} />
        </ReferenceInput>
      );
    case 'refs':
      return (
        <ReferenceArrayInput key={spec.source} source={spec.source} reference={spec.reference!} sort={sort} perPage={200}>
          <AutocompleteArrayInput optionText={spec.optionText ?? 'name'} sx={{ minWidth: 280 }} />
        </ReferenceArrayInput>
      );
    case 'select':
      return <ChoiceInput key={spec.source} spec={spec} />;
    case 'grants':
      return <GrantsInput key={spec.source} source={spec.source} />;
    case 'password':
      return <PasswordInput key={spec.source} source={spec.source} autoComplete="new-password" validate={v} />;
    case 'tags':
      return <TagsInput key={spec.source} source={spec.source} helperText={false} />;
    default:
      return <TextInput key={spec.source} source={spec.source} validate={v} sx={{ minWidth: 280 }} />;
  }
}

function ChoiceField({ spec }: { spec: FieldSpec; label?: string }) {
  const translate = useTranslate();
  return <FunctionField source={spec.source} render={(r: any) => (spec.choicePrefix && r[spec.source] ? translate(`${spec.choicePrefix}.${r[spec.source]}`) : r[spec.source])} />;
}

export function fieldFor(spec: FieldSpec): ReactElement {
  const label = `resources.*.fields.${spec.source}`;
  switch (spec.kind ?? 'text') {
    case 'bool':
      return <BooleanField key={spec.source} source={spec.source} />;
    case 'int':
    case 'number':
      return <NumberField key={spec.source} source={spec.source} />;
    case 'minutes':
      return <MinutesField key={spec.source} source={spec.source} />;
    case 'color':
      return <FunctionField key={spec.source} source={spec.source} render={(r: any) => (r.color ? <span style={{ display: 'inline-block', width: 16, height: 16, borderRadius: 8, background: r.color }} aria-label={r.color} /> : null)} />;
    case 'date':
      return <LocaleDateField key={spec.source} source={spec.source} />;
    case 'datetime':
      return <LocaleDateField key={spec.source} source={spec.source} showTime />;
    case 'ref': {
      const rel = spec.relation ?? spec.source.replace(/Id$/, '');
      const text = spec.optionText;
      if (typeof text === 'function') return <FunctionField key={spec.source} source={rel} label={label.replace(spec.source, rel)} sortable={false} render={(r: any) => (r[rel] ? text(r[rel]) : '')} />;
      return <TextField key={spec.source} source={`${rel}.${text ?? 'name'}`} label={label.replace(spec.source, rel)} sortable={false} />;
    }
    case 'refs': {
      const rel = spec.relation ?? spec.source.replace(/Ids$/, 's');
      const text = spec.optionText;
      if (typeof text === 'function') {
        return <FunctionField key={spec.source} source={rel} sortable={false} render={(r: any) => (r[rel] ?? []).map((x: any) => <Chip key={x.id} size="small" label={text(x)} sx={{ mr: 0.5 }} />)} />;
      }
      return (
        <ArrayField key={spec.source} source={rel} sortable={false}>
          <SingleFieldList linkType={false}>
            <ChipField source={text ?? 'name'} size="small" />
          </SingleFieldList>
        </ArrayField>
      );
    }
    case 'select':
      return <ChoiceField key={spec.source} spec={spec} label={label} />;
    case 'tags':
      return <FunctionField key={spec.source} source={spec.source} render={(r: any) => (r[spec.source] ?? []).join(', ')} />;
    case 'grants':
      return <FunctionField key={spec.source} source={spec.source} sortable={false} render={(r: any) => (r[spec.source] ?? []).length} />;
    default:
      return spec.display ? <FunctionField key={spec.source} source={spec.source} render={(r: any) => spec.display!(r)} /> : <TextField key={spec.source} source={spec.source} />;
  }
}

function fixLabels(resource: string, el: ReactElement): ReactElement {
  const props = el.props as { label?: string };
  if (props.label?.startsWith('resources.*')) return { ...el, props: { ...el.props as object, label: props.label.replace('*', resource) } } as ReactElement;
  return el;
}

export interface SimpleResourceOptions {
  name: string;
  icon?: ComponentType;
  fields: FieldSpec[];
  sort?: { field: string; order: 'ASC' | 'DESC' };
  recordRepresentation?: string | ((record: any) => string);
  /** Extra list columns after the generated ones. */
  extraColumns?: ReactElement[];
  show?: ComponentType;
  canCreate?: boolean;
  filters?: ReactElement[];
  filterDefaultValues?: Record<string, unknown>;
  rowClick?: 'show' | 'edit';
  /** More buttons in the list's toolbar. */
  extraActions?: ReactElement[];
}

export function simpleResource(o: SimpleResourceOptions) {
  const listCols = o.fields.filter((f) => f.list ?? !['long', 'refs', 'tags'].includes(f.kind ?? 'text'));
  const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    ...o.fields.filter((f) => f.filter).map((f) => inputFor({ ...f, required: false })),
    <BooleanInput key="includeArchived" source="includeArchived" />,
    ...(o.filters ?? []),
  ];
  const Actions = () => (
    <TopToolbar>
      <FilterButton />
      <SelectColumnsButton />
      {o.canCreate !== false && <CreateButton />}
      <ExportButton />
      {o.extraActions ?? null}
    </TopToolbar>
  );
  const ResourceList = () => (
    <List filters={filters} actions={<Actions />} sort={o.sort} perPage={25} filterDefaultValues={o.filterDefaultValues} storeKey={`${o.name}.list`}>
      <DatagridConfigurable rowClick={o.rowClick ?? (o.show ? 'show' : 'edit')} bulkActionButtons={false}>
        {listCols.map((f) => fixLabels(o.name, fieldFor(f)))}
        {o.extraColumns ?? []}
        {o.show && <EditButton />}
      </DatagridConfigurable>
    </List>
  );
  const form = (create: boolean) => (
    <SimpleForm sx={{ maxWidth: 900 }}>{o.fields.filter((f) => !f.readOnly && (create || !f.createOnly)).map((f) => inputFor(f))}</SimpleForm>
  );
  const ResourceEdit = () => <ConflictEdit redirect="list">{form(false)}</ConflictEdit>;
  const ResourceCreate = () => (
    <Create redirect="list" mutationMode="pessimistic">
      {form(true)}
    </Create>
  );
  const DefaultShow = () => (
    <Show>
      <SimpleShowLayout>{o.fields.filter((f) => !f.createOnly).map((f) => fixLabels(o.name, fieldFor(f)))}</SimpleShowLayout>
    </Show>
  );
  return {
    name: o.name,
    icon: o.icon,
    list: ResourceList,
    edit: ResourceEdit,
    create: o.canCreate === false ? undefined : ResourceCreate,
    show: o.show ?? DefaultShow,
    recordRepresentation: o.recordRepresentation ?? 'name',
  };
}

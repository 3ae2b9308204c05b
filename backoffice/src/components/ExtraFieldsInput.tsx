import { BooleanInput, CheckboxGroupInput, DateInput, NumberInput, SelectInput, TextInput, required, useGetList } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { Grid } from '@mui/material';

/**
 * The administrator's extra fields of a target (APPLICATION, ACCOUNT, CONTACT) as inputs of
 * `extra.<key>`; for applications only those of the chosen category (or of every category).
 */
export function ExtraFieldsInput({ target }: { target: 'APPLICATION' | 'ACCOUNT' | 'CONTACT' }) {
  const categoryId = useWatch({ name: 'categoryId' });
  const { data = [] } = useGetList('extraFields', { pagination: { page: 1, perPage: 200 }, sort: { field: 'sortOrder', order: 'ASC' }, filter: { target, active: true } });
  const fields = data.filter((f: any) => target !== 'APPLICATION' || !f.categoryIds?.length || (categoryId && f.categoryIds.map(String).includes(String(categoryId))));
  if (!fields.length) return null;
  return (
    <>
      {fields.map((f: any) => {
        const source = `extra.${f.key}`;
        const common = { source, label: f.label, helperText: f.description ?? false, validate: f.required ? required() : undefined, fullWidth: true };
        const choices = (f.options ?? []).map((o: string) => ({ id: o, name: o }));
        let input;
        switch (f.type) {
          case 'LONG_TEXT':
            input = <TextInput {...common} multiline minRows={2} />;
            break;
          case 'NUMBER':
            input = <NumberInput {...common} />;
            break;
          case 'DATE':
            input = <DateInput {...common} />;
            break;
          case 'BOOLEAN':
            input = <BooleanInput source={source} label={f.label} helperText={false} />;
            break;
          case 'SINGLE_CHOICE':
            input = <SelectInput {...common} choices={choices} />;
            break;
          case 'MULTIPLE_CHOICE':
            input = <CheckboxGroupInput source={source} label={f.label} choices={choices} helperText={false} />;
            break;
          default:
            input = <TextInput {...common} />;
        }
        return (
          <Grid key={f.id} size={{ xs: 12, md: f.type === 'LONG_TEXT' || f.type === 'MULTIPLE_CHOICE' ? 12 : 4 }}>
            {input}
          </Grid>
        );
      })}
    </>
  );
}

/** Extra values of a record with their labels, for detail pages. */
export function useExtraLabels(target: 'APPLICATION' | 'ACCOUNT' | 'CONTACT') {
  const { data = [] } = useGetList('extraFields', { pagination: { page: 1, perPage: 200 }, sort: { field: 'sortOrder', order: 'ASC' }, filter: { target } });
  return (extra: Record<string, unknown> | null | undefined) =>
    data
      .filter((f: any) => extra && extra[f.key] !== undefined && extra[f.key] !== null && extra[f.key] !== '')
      .map((f: any) => {
        const v = extra![f.key];
        const value: string | boolean = Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? v : String(v);
        return { key: f.key as string, label: f.label as string, value };
      });
}

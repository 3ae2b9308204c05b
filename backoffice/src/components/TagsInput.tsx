import { useState } from 'react';
import { Autocomplete, Chip, TextField } from '@mui/material';
import { FieldTitle, InputHelperText, useInput, useResourceContext, type Validator } from 'react-admin';

/** Splits typed text at commas (and line breaks) into trimmed, non-empty values. */
export function splitValues(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Adds values to a list, keeping its order and leaving out ones already there. */
export function addValues(list: string[], added: string[]): string[] {
  const out = [...list];
  for (const v of added) if (!out.includes(v)) out.push(v);
  return out;
}

/**
 * A list of free values (phones, e-mails, tags) as chips: spaces are typed as they are ("0532 111
 * 22 33"); Enter, a comma or leaving the field makes the text a chip; Backspace removes the last.
 */
export function TagsInput({ source, label, validate, helperText }: { source: string; label?: string; validate?: Validator | Validator[]; helperText?: string | false }) {
  const resource = useResourceContext();
  const { id, field, fieldState, isRequired } = useInput({ source, validate, format: (v: unknown) => (Array.isArray(v) ? v : []) });
  const [text, setText] = useState('');
  const value: string[] = Array.isArray(field.value) ? field.value : [];
  const commit = (extra: string) => {
    const added = splitValues(extra);
    if (added.length) field.onChange(addValues(value, added));
    setText('');
  };
  return (
    <Autocomplete<string, true, false, true>
      multiple
      freeSolo
      options={[]}
      value={value}
      inputValue={text}
      onInputChange={(_e, v, reason) => {
        if (reason === 'reset') return setText('');
        // A comma (typed or pasted) ends a value: every value before and after it becomes a chip.
        if (v.includes(',')) return commit(v);
        setText(v);
      }}
      onChange={(_e, v) => field.onChange(addValues([], v.flatMap((x) => splitValues(String(x)))))}
      onBlur={() => {
        if (text.trim()) commit(text);
        field.onBlur();
      }}
      renderValue={(values, getItemProps) => values.map((option, index) => <Chip size="small" label={option} {...getItemProps({ index })} key={`${option}-${index}`} />)}
      renderInput={(params) => (
        <TextField
          {...params}
          id={id}
          name={source}
          label={<FieldTitle label={label} source={source} resource={resource} isRequired={isRequired} />}
          error={fieldState.invalid}
          helperText={<InputHelperText error={fieldState.error?.message} helperText={helperText} />}
          inputRef={field.ref}
        />
      )}
      sx={{ minWidth: 280, maxWidth: 600 }}
      size="small"
    />
  );
}

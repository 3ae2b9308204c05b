import { Chip } from '@mui/material';
import { DateField, FunctionField, useLocaleState, useRecordContext, useTranslate, type DateFieldProps } from 'react-admin';
import { intlLocale } from '../i18n';

/** Dates as the user's language writes them (dd.MM.yyyy in Turkish). */
export function LocaleDateField(props: DateFieldProps) {
  const [locale] = useLocaleState();
  return <DateField {...props} locales={intlLocale(locale)} />;
}

export function formatDate(value: string | null | undefined, locale: string, time = false): string {
  if (!value) return '';
  const d = new Date(value.length === 10 ? `${value}T00:00:00` : value);
  return time
    ? d.toLocaleString(intlLocale(locale), { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(intlLocale(locale), { day: '2-digit', month: '2-digit', year: 'numeric' });
}

export function useMinutes() {
  const translate = useTranslate();
  return (minutes: number | null | undefined) => {
    const m = minutes ?? 0;
    return translate('app.field.minutes_short', { h: Math.floor(m / 60), m: m % 60 });
  };
}

export function MinutesField({ source, label }: { source: string; label?: string; sortable?: boolean; sortBy?: string }) {
  const fmt = useMinutes();
  return <FunctionField source={source} label={label} render={(r: any) => fmt(r?.[source])} />;
}

/** A stage (or priority) as a coloured chip. */
export function ColorChip({ source }: { source: string; label?: string; sortBy?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const v = record?.[source];
  if (!v) return null;
  return <Chip size="small" label={v.name} sx={{ bgcolor: v.color ?? undefined, color: v.color ? '#fff' : undefined, fontWeight: 500 }} />;
}

export function AssigneeField(_: { label?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const translate = useTranslate();
  if (!record) return null;
  if (record.assigneeEveryone) return <span>{translate('app.field.everyone')}</span>;
  const parts = [record.assigneeUser?.name, record.assigneeTeam?.name].filter(Boolean);
  return <span>{parts.length ? parts.join(' · ') : translate('app.field.unassigned')}</span>;
}

export function NumberLocale({ value, currency }: { value: number; currency?: string }) {
  const [locale] = useLocaleState();
  return <>{new Intl.NumberFormat(intlLocale(locale), currency ? { style: 'currency', currency } : {}).format(value ?? 0)}</>;
}

import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';
import { resolveBrowserLocale } from 'react-admin';
import { raTurkish } from './ra-tr';
import { BUILT_IN_ROLES, enApp, trApp } from './messages';

const deepMerge = (a: any, b: any): any => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) ? deepMerge(a?.[k] ?? {}, v) : v;
  return out;
};

export const messages: Record<string, any> = {
  tr: deepMerge(raTurkish, trApp),
  en: deepMerge(englishMessages, enApp),
};

/** Turkish when the browser prefers it, else English; the user's choice is remembered. */
export const defaultLocale = typeof window !== 'undefined' && resolveBrowserLocale('en', { fullLocale: false }) === 'tr' ? 'tr' : 'en';

export const i18nProvider = polyglotI18nProvider((locale) => messages[locale] ?? messages.tr, defaultLocale, [
  { locale: 'tr', name: 'Türkçe' },
  { locale: 'en', name: 'English' },
], {
  allowMissing: true,
  // A label of ours without a translation is a bug: say so in the console (the browser tests fail on it).
  onMissingKey: (key: string, options: { _?: string }, locale: string) => {
    if (/^(resources|app)\./.test(key)) console.warn(`missing translation [${locale}] ${key}`);
    return options?._ ?? key;
  },
});

/** The Intl locale of a react-admin locale: dates dd.MM.yyyy in Turkish. */
export const intlLocale = (locale: string) => (locale === 'tr' ? 'tr-TR' : 'en-GB');

export const trCollator = new Intl.Collator('tr', { sensitivity: 'base' });

/**
 * A role's name as the user reads it: a built-in role still called by its seeded English name
 * is named in the user's language (app.role.<key>); a renamed or custom role keeps its name.
 */
export function roleName(role: { key?: string | null; name?: string | null } | null | undefined): string {
  if (!role) return '';
  const seeded = role.key ? BUILT_IN_ROLES[role.key]?.[1] : undefined;
  if (seeded && (!role.name || role.name === seeded)) return i18nProvider.translate(`app.role.${role.key}`);
  return role.name ?? '';
}

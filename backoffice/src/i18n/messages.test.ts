import { describe, expect, it } from 'vitest';
import { ERROR_REASONS } from '../../../api/error-reasons';
import { i18nProvider, messages, roleName } from '.';
import { OTHER_SUBJECTS, RESOURCES } from '../data/resources';

describe('messages', () => {
  it('translate every reason the API can emit, in Turkish and English', () => {
    for (const locale of ['tr', 'en']) {
      const missing = ERROR_REASONS.filter((r) => typeof messages[locale].app.error?.[r] !== 'string');
      expect({ locale, missing }).toEqual({ locale, missing: [] });
    }
  });

  it('name every permission subject a role\'s grants can hold', () => {
    const subjects = ['all', ...Object.values(RESOURCES).map((r) => r.subject), ...OTHER_SUBJECTS];
    for (const locale of ['tr', 'en']) expect({ locale, missing: subjects.filter((x) => typeof messages[locale].app.subject?.[x] !== 'string') }).toEqual({ locale, missing: [] });
  });

  it('say "Unvan" for a contact\'s title and "Başlık" for a task\'s', () => {
    expect(messages.tr.resources.contacts.fields.title).toBe('Unvan');
    expect(messages.tr.resources.tasks.fields.title).toBe('Başlık');
  });

  it('name built-in roles in the user\'s language, unless an administrator renamed them', async () => {
    await i18nProvider.changeLocale('tr');
    expect(roleName({ key: 'administrator', name: 'Administrator' })).toBe('Yönetici');
    expect(roleName({ key: 'team_leader', name: 'Team leader' })).toBe('Takım lideri');
    expect(roleName({ key: 'agent', name: 'Çağrı temsilcisi' })).toBe('Çağrı temsilcisi');
    expect(roleName({ key: 'destek', name: 'Destek' })).toBe('Destek');
    await i18nProvider.changeLocale('en');
    expect(roleName({ key: 'administrator', name: 'Administrator' })).toBe('Administrator');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formPath, toHttpError } from './graphql';
import { i18nProvider } from '../i18n';
import { addValues, splitValues } from '../components/TagsInput';

describe('API errors reach the form in the user\'s language', () => {
  beforeAll(() => i18nProvider.changeLocale('tr'));
  afterAll(() => i18nProvider.changeLocale('en'));

  it('input paths become form fields', () => {
    expect(formPath('input.email')).toBe('email');
    expect(formPath('input.phones.0')).toBe('phones');
    expect(formPath('input.grants.0.subject')).toBe('grants.0.subject');
    expect(formPath('input.assignee.userId')).toBe('assignee.userId');
    expect(formPath('id')).toBeNull();
  });

  it('every refused field lands under its field, translated with its parameters', () => {
    const err = toHttpError([
      {
        message: 'input.name: name must be shorter than or equal to 300 characters',
        extensions: {
          code: 'BAD_USER_INPUT',
          field: 'input.name',
          reason: 'TOO_LONG',
          params: { max: 300 },
          fields: [
            { field: 'input.name', message: 'must be shorter than or equal to 300 characters', reason: 'TOO_LONG', params: { max: 300 } },
            { field: 'input.phones.1', message: 'must be phone numbers', reason: 'INVALID_PHONE' },
            { field: 'input.emails', message: 'must be e-mail addresses', reason: 'SOMETHING_NEW' },
          ],
        },
      },
    ]);
    expect(err.status).toBe(400);
    expect(err.body.errors).toEqual({
      name: 'En fazla 300 karakter olabilir',
      phones: 'Geçerli bir telefon numarası girin (rakam, boşluk, + ( ) -)',
      // An unknown reason falls back to the API's English message.
      emails: 'must be e-mail addresses',
      root: { serverError: expect.stringContaining('Ad: En fazla 300 karakter olabilir') },
    });
  });

  it('a field the form does not hold is told, not set (it would lock the form)', () => {
    const err = toHttpError([{ message: 'Another user already has this e-mail address.', extensions: { code: 'BAD_USER_INPUT', field: 'input.email', reason: 'NOT_UNIQUE' } }], undefined, undefined, ['name']);
    expect(err.body.errors).toBeUndefined();
    expect(err.message).toBe('E-posta: Bu değer başka bir kayıtta kullanılıyor');
    const onForm = toHttpError([{ message: 'Another user already has this e-mail address.', extensions: { code: 'BAD_USER_INPUT', field: 'input.email', reason: 'NOT_UNIQUE' } }], undefined, undefined, ['name', 'email']);
    expect(onForm.body.errors.email).toBe('Bu değer başka bir kayıtta kullanılıyor');
  });

  it('sign-in errors are Turkish', () => {
    expect(toHttpError([{ message: 'Invalid e-mail or password.', extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' } }]).message).toBe('E-posta ya da parola hatalı.');
    expect(toHttpError([{ message: 'Too many failed sign-in attempts. Try again in 15 minute(s).', extensions: { code: 'RATE_LIMITED', reason: 'RATE_LIMITED', params: { minutes: 15 } } }]).message).toBe('Çok fazla başarısız deneme. 15 dakika sonra yeniden deneyin.');
  });
});

describe('chip inputs', () => {
  it('split typed text at commas, keep spaces inside a value, and add no duplicates', () => {
    expect(splitValues('0532 111 22 33, 0212 555 00 11,')).toEqual(['0532 111 22 33', '0212 555 00 11']);
    expect(addValues(['0532 111 22 33'], ['0532 111 22 33', 'a@b.tr'])).toEqual(['0532 111 22 33', 'a@b.tr']);
  });
});

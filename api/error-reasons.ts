/**
 * Why an input or request was refused, as a stable word (`extensions.reason`) beside the English
 * message: clients translate the reason and its `extensions.params` (`{ max: 200 }`) instead of
 * showing the message. Every reason the API can emit is listed here (the back office's tests check
 * it has a Turkish and an English text for each). No imports: the back office reads this file.
 */
export const ERROR_REASONS = [
  // input (class-validator constraints and the modules' own checks)
  'REQUIRED',
  'INVALID',
  'INVALID_FORMAT',
  'INVALID_EMAIL',
  'INVALID_PHONE',
  'INVALID_DATE',
  'INVALID_CHARACTERS',
  'INVALID_IP_RANGE',
  'INVALID_TAX_NUMBER',
  'INVALID_IDENTITY_NUMBER',
  'INVALID_COLOR',
  'NOT_TEXT',
  'NOT_NUMBER',
  'NOT_INTEGER',
  'NOT_BOOLEAN',
  'NOT_ALLOWED_VALUE',
  'TOO_LONG',
  'TOO_SHORT',
  'TOO_LARGE',
  'TOO_SMALL',
  'TOO_MANY',
  'NOT_UNIQUE',
  'NOT_FOUND_REFERENCE',
  'INACTIVE_REFERENCE',
  'DATE_ORDER',
  'ARCHIVED',
  // sign-in and sessions
  'INVALID_CREDENTIALS',
  'ACCOUNT_DISABLED',
  'IP_NOT_ALLOWED',
  'RATE_LIMITED',
  'SESSION_ENDED',
  'SESSION_EXPIRED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'EXPIRED',
  // records
  'NOT_FOUND',
  'CONFLICT',
  'WRONG_PASSWORD',
  'SAME_PASSWORD',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/** The reason of a class-validator constraint (`maxLength` → TOO_LONG); the message refines `matches`. */
export function reasonOfConstraint(constraint: string, message: string): ErrorReason {
  switch (constraint) {
    case 'isDefined':
    case 'isNotEmpty':
    case 'arrayNotEmpty':
      return 'REQUIRED';
    case 'isEmail':
      return 'INVALID_EMAIL';
    case 'maxLength':
      return 'TOO_LONG';
    case 'minLength':
      return 'TOO_SHORT';
    case 'max':
      return 'TOO_LARGE';
    case 'min':
      return 'TOO_SMALL';
    case 'arrayMaxSize':
      return 'TOO_MANY';
    case 'isInt':
      return 'NOT_INTEGER';
    case 'isNumber':
      return 'NOT_NUMBER';
    case 'isBoolean':
      return 'NOT_BOOLEAN';
    case 'isString':
      return 'NOT_TEXT';
    case 'isDate':
    case 'isDateString':
      return 'INVALID_DATE';
    case 'isEnum':
    case 'isIn':
      return 'NOT_ALLOWED_VALUE';
    case 'matches':
      // One constraint name for many patterns: the declared message says which.
      if (/must not be empty/.test(message)) return 'REQUIRED';
      if (/phone/.test(message)) return 'INVALID_PHONE';
      if (/vergi/.test(message)) return 'INVALID_TAX_NUMBER';
      if (/kimlik/.test(message)) return 'INVALID_IDENTITY_NUMBER';
      if (/colour/.test(message)) return 'INVALID_COLOR';
      if (/date/.test(message)) return 'INVALID_DATE';
      return 'INVALID_FORMAT';
    default:
      return 'INVALID';
  }
}

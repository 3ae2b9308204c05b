import { IsDefined, ValidateIf } from 'class-validator';

/**
 * An optional input field for a required column: it may be left out, but not sent as null
 * (BAD_USER_INPUT on the field instead of a failed write).
 */
export function NotNullWhenGiven(): PropertyDecorator {
  return (target, key) => {
    ValidateIf((_o: object, v: unknown) => v !== undefined)(target, key);
    IsDefined({ message: 'must not be null' })(target, key);
  };
}

import { IsDefined, ValidateIf, getMetadataStorage, type ValidationError } from 'class-validator';
import { reasonOfConstraint, type ErrorReason } from './error-reasons';

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

/** One refused input field: path (`input.phones.0`), English message, reason and its parameters. */
export interface FieldIssue {
  field: string;
  message: string;
  reason: ErrorReason;
  params?: Record<string, unknown>;
}

const LIMIT_PARAM: Record<string, string> = { maxLength: 'max', minLength: 'min', max: 'max', min: 'min', arrayMaxSize: 'max', arrayMinSize: 'min' };

/** The declared limit of a constraint (`@MaxLength(200)` → { max: 200 }), from class-validator's metadata. */
function paramsOf(target: object | undefined, property: string, constraint: string): Record<string, unknown> | undefined {
  const param = LIMIT_PARAM[constraint];
  if (!param || !target) return undefined;
  const meta = getMetadataStorage()
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .find((m) => m.propertyName === property && m.name === constraint);
  const value = meta?.constraints?.[0];
  return typeof value === 'number' ? { [param]: value } : undefined;
}

/**
 * Every refused field of a class-validator result, under `prefix` (the argument name). A list of
 * scalars (`each: true`) is reported on the item that failed when the value says which.
 */
export function validationIssues(errors: ValidationError[], prefix: string): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [constraint, raw] of Object.entries(e.constraints ?? {})) {
      const message = raw.replace(new RegExp(`^(each value in )?${e.property} `), '');
      const reason = reasonOfConstraint(constraint, message);
      const params = paramsOf(e.target, e.property, constraint);
      out.push({ field: path, message, reason, ...(params ? { params } : {}) });
      break; // one problem per field is enough to fix it
    }
    if (e.children?.length) out.push(...validationIssues(e.children, path));
  }
  return out;
}

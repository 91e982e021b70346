//! Showing the core's validation message under the input it names, with a
//! stable test id `<prefix>-error-<field>`.
import { fieldError, isApiError } from '../errors';

export function errorProps(error: unknown, prefix: string, field: string) {
  return {
    error: fieldError(error, field),
    errorProps: { 'data-testid': `${prefix}-error-${field}` },
  };
}

/** The error when it names none of the form's own fields (shown above the buttons instead). */
export function formLevelError(error: unknown, fields: readonly string[]): unknown {
  if (!error) return null;
  return isApiError(error) && error.field && fields.includes(error.field) ? null : error;
}

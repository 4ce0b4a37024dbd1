/**
 * Reading a stored action payload back (the pending action may come from an earlier run): each
 * field is checked, and a record that does not match its kind fails loudly instead of being cast.
 */
import { AppError } from '../../contract/errors.js';

type Params = Readonly<Record<string, unknown>>;

function bad(field: string): never {
  throw new AppError('internal', `The stored action has no valid ${field}; nothing was sent.`);
}

export function str(p: Params, field: string): string {
  const v = p[field];
  return typeof v === 'string' ? v : bad(field);
}

export function optStr(p: Params, field: string): string | null {
  const v = p[field];
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : bad(field);
}

export function int(p: Params, field: string): number {
  const v = p[field];
  return typeof v === 'number' && Number.isInteger(v) ? v : bad(field);
}

export function strList(p: Params, field: string): string[] {
  const v = p[field];
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : bad(field);
}

export function oneOf<T extends string>(p: Params, field: string, values: readonly T[]): T {
  const v = p[field];
  return typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : bad(field);
}

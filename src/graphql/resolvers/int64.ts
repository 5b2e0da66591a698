import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ClumioError } from '../../clumio/errors.js';

// Values only come from Clumio, so one that can't be shown exactly is a bad upstream
// response (a ClumioError: executors rewrap a GraphQLError thrown here and drop its code).
function toSafeInteger(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new ClumioError('BAD_UPSTREAM_RESPONSE', 'Clumio sent an integer above 2^53-1, which cannot be shown exactly.');
}

/**
 * An Int64 field's value, checked where the field is resolved: a value that cannot be shown is
 * that field's error (with its code) under every executor, graphql-jit included, which keeps
 * only the message of an error thrown by a scalar's serialize.
 */
export function exactInteger(value: number | null | undefined): number | null {
  return value == null ? null : toSafeInteger(value);
}

/** int64 carried as a JSON number, exact up to 2^53-1. */
export const Int64 = new GraphQLScalarType<number, number>({
  name: 'Int64',
  description: 'A 64-bit integer, exact up to 2^53-1, serialized as a JSON number.',
  serialize: toSafeInteger,
  parseValue(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    throw new GraphQLError('Int64 expects an integer from -(2^53-1) to 2^53-1.', { extensions: { code: 'BAD_USER_INPUT' } });
  },
  parseLiteral(ast) {
    const value = ast.kind === Kind.INT ? Number(ast.value) : NaN;
    if (Number.isSafeInteger(value)) return value;
    throw new GraphQLError('Int64 expects an integer from -(2^53-1) to 2^53-1.', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});

import { CreditGatewayError, scalarResolvers, type CreditCodePolicy } from '@credit-gateway/common';
import type { QueryRecordResolvers, Resolvers } from '../__generated__/resolvers-types.js';

const MAX_RECORDS = 200;

function limit(first: number | null | undefined): number {
  const value = first ?? 50;
  if (!Number.isInteger(value) || value < 1 || value > MAX_RECORDS) {
    throw new CreditGatewayError('BAD_USER_INPUT', `first must be a whole number from 1 to ${MAX_RECORDS}`);
  }
  return value;
}

const QueryRecord: QueryRecordResolvers = {
  fieldsReturned: (record) => [...record.fieldsReturned],
  fieldsDenied: (record) => [...record.fieldsDenied],
};

/** Who queried a subject (查询使用登记): GOVERNMENT callers read the gateway's register through the graph. */
export function createResolvers(policy: CreditCodePolicy): Resolvers {
  return {
    ...scalarResolvers(policy),
    Enterprise: {
      __resolveReference: (ref) => ({ code: ref.code }),
      queryRecords: ({ code }, { first }, { register }) => register.bySubject(code, { limit: limit(first) }),
    },
    Person: {
      __resolveReference: (ref) => ({ idNumber: ref.idNumber }),
      queryRecords: ({ idNumber }, { first }, { register, subjects }) =>
        register.bySubject(subjects.person(idNumber), { limit: limit(first) }),
    },
    QueryRecord,
  };
}

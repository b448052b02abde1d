import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { describeCreditCodeProblem, findCreditCodeProblem, normalizeCreditCode } from './identifiers/credit-code.js';
import { describeIdNumberProblem, findIdNumberProblem, normalizeIdNumber } from './identifiers/id-number.js';
import { CreditGatewayError, InvalidCreditCodeError, InvalidIdNumberError } from './errors.js';

export interface CreditCodePolicy {
  /**
   * Codes issued in early pilot areas that are legally valid yet fail the check characters.
   * Kept as data (config), never as code.
   */
  allowList: ReadonlySet<string>;
}

/** Validates and normalizes a credit code under GB 32100-2015, or throws INVALID_CREDIT_CODE. */
export function parseCreditCode(input: unknown, policy: CreditCodePolicy): string {
  if (typeof input !== 'string') throw new InvalidCreditCodeError(String(input), 'a credit code is a string');
  const code = normalizeCreditCode(input);
  const problem = findCreditCodeProblem(code);
  if (problem === null) return code;
  // Only check-character failures can be legally issued; a wrong length or character never is.
  const checkFailure = problem.kind === 'check' || problem.kind === 'organization-code-check';
  if (checkFailure && policy.allowList.has(code)) return code;
  throw new InvalidCreditCodeError(input, describeCreditCodeProblem(problem));
}

export function parseIdNumber(input: unknown): string {
  if (typeof input !== 'string') throw new InvalidIdNumberError('an ID number is a string');
  const id = normalizeIdNumber(input);
  const problem = findIdNumberProblem(id);
  if (problem !== null) throw new InvalidIdNumberError(describeIdNumberProblem(problem));
  return id;
}

function stringLiteral(ast: ValueNode, typeName: string): string {
  if (ast.kind !== Kind.STRING) {
    throw new CreditGatewayError('BAD_USER_INPUT', `${typeName} must be given as a string`);
  }
  return ast.value;
}

function outputString(value: unknown, typeName: string): string {
  if (typeof value !== 'string') throw new GraphQLError(`${typeName} cannot represent ${typeof value}`);
  return value;
}

export function createCreditCodeScalar(policy: CreditCodePolicy): GraphQLScalarType<string, string> {
  return new GraphQLScalarType<string, string>({
    name: 'CreditCode',
    description: 'Unified social credit code (统一社会信用代码), GB 32100-2015.',
    serialize: (value) => outputString(value, 'CreditCode'),
    parseValue: (value) => parseCreditCode(value, policy),
    parseLiteral: (ast) => parseCreditCode(stringLiteral(ast, 'CreditCode'), policy),
  });
}

export const IdNumberScalar = new GraphQLScalarType<string, string>({
  name: 'IdNumber',
  description: 'Resident ID number (公民身份号码), GB 11643-1999.',
  serialize: (value) => outputString(value, 'IdNumber'),
  parseValue: (value) => parseIdNumber(value),
  parseLiteral: (ast) => parseIdNumber(stringLiteral(ast, 'IdNumber')),
});

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(value: unknown): string {
  if (typeof value === 'string' && DATE_PATTERN.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new CreditGatewayError('BAD_USER_INPUT', 'Date must be a calendar date written YYYY-MM-DD');
}

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD, in China Standard Time.',
  serialize: (value) => outputString(value, 'Date'),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(stringLiteral(ast, 'Date')),
});

function parseDateTime(value: unknown): string {
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value)) && value.includes('T')) {
    return new Date(value).toISOString();
  }
  throw new CreditGatewayError('BAD_USER_INPUT', 'DateTime must be an ISO 8601 date and time');
}

export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An instant, ISO 8601 with offset.',
  serialize: (value) => outputString(value, 'DateTime'),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(stringLiteral(ast, 'DateTime')),
});

/** Every custom scalar the shared schema declares, ready to be put into a resolver map. */
export function scalarResolvers(policy: CreditCodePolicy) {
  return {
    CreditCode: createCreditCodeScalar(policy),
    IdNumber: IdNumberScalar,
    Date: DateScalar,
    DateTime: DateTimeScalar,
  };
}

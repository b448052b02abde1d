import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isErrorCode, type ErrorCode, type Logger } from '@credit-gateway/common';

/**
 * Shapes every error for the client: errors this product raises keep their code and extensions,
 * anything else loses its message and internals (logged here with the original cause).
 */
export function formatErrors(
  errors: readonly (GraphQLError | GraphQLFormattedError)[],
  logger: Logger,
): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = error instanceof GraphQLError ? error.toJSON() : error;
    const extensions = formatted.extensions ?? {};
    // An INTERNAL_SERVER_ERROR from a subgraph or the planner carries whatever was thrown (a stack
    // size, a file path, a library's name): it is masked like any error without a code.
    if (isErrorCode(extensions['code']) && extensions['code'] !== 'INTERNAL_SERVER_ERROR') {
      // The planner adds its own bookkeeping, and a subgraph in development mode its stack trace;
      // clients get the product's extensions only.
      const { serviceName: _serviceName, stacktrace: _stacktrace, exception: _exception, ...rest } = extensions;
      return { ...formatted, extensions: rest };
    }
    logger.error(
      { err: error instanceof GraphQLError ? (error.originalError ?? error) : error, path: formatted.path },
      'unexpected error',
    );
    return {
      message: 'Unexpected error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode },
    };
  });
}

/** Gives a request error (parse, validation, variables) a code when graphql-js left it without one. */
export function withCode(error: GraphQLError, code: ErrorCode): GraphQLError {
  if (isErrorCode(error.extensions['code'])) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * graphql-js repeats a refused variable value in its message. For a personal identifier that would
 * put an ID number in responses and logs, so the value is cut out; the reason stays.
 */
export function withoutPersonalValue(error: GraphQLError): GraphQLError {
  if (error.extensions['code'] !== ('INVALID_ID_NUMBER' satisfies ErrorCode)) return error;
  return new GraphQLError(error.message.replace(/ got invalid value .*?(?=( at "|; ))/, ' got an invalid value'), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

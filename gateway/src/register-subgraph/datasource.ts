import { LocalGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import type { RequestContext } from '../pipeline/context.js';
import type { QueryRegister } from '../register/index.js';
import type { SubjectKeys } from '../subjects.js';
import type { RegisterContext } from './context.js';

/**
 * Runs the register subgraph in the gateway's own process: no network hop, and the caller's
 * access claims come straight from the request rather than from a signed token.
 */
export class RegisterDataSource extends LocalGraphQLDataSource<RequestContext> {
  constructor(
    schema: GraphQLSchema,
    private readonly register: QueryRegister,
    private readonly subjects: SubjectKeys,
  ) {
    super(schema);
  }

  override process(options: GraphQLDataSourceProcessOptions<RequestContext>): Promise<GatewayGraphQLResponse> {
    const gateway = options.context as Partial<RequestContext>;
    const context: RegisterContext & { access: RequestContext['access'] | undefined } = {
      register: this.register,
      subjects: this.subjects,
      logger: gateway.logger!,
      access: gateway.access,
    };
    return super.process({ ...options, context } as unknown as GraphQLDataSourceProcessOptions<RequestContext>);
  }
}

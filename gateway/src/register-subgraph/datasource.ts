import { LocalGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import type { GatewayRequestContext } from '../subgraph-datasource.js';
import type { QueryRegister } from '../register/index.js';
import type { SubjectKeys } from '../subjects.js';
import type { RegisterContext } from './context.js';

/**
 * Runs the register subgraph in the gateway's own process: no network hop, and the caller's
 * access claims come straight from the request rather than from a signed token.
 */
export class RegisterDataSource extends LocalGraphQLDataSource<GatewayRequestContext> {
  constructor(
    schema: GraphQLSchema,
    private readonly register: QueryRegister,
    private readonly subjects: SubjectKeys,
  ) {
    super(schema);
  }

  override process(options: GraphQLDataSourceProcessOptions<GatewayRequestContext>): Promise<GatewayGraphQLResponse> {
    const gateway = options.context as Partial<GatewayRequestContext>;
    const context: RegisterContext & { access: GatewayRequestContext['access'] | undefined } = {
      register: this.register,
      subjects: this.subjects,
      logger: gateway.logger!,
      access: gateway.access,
    };
    return super.process({ ...options, context } as unknown as GraphQLDataSourceProcessOptions<GatewayRequestContext>);
  }
}

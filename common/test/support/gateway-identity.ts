/**
 * Test support: a gateway key pair for the whole test process, so tests can start subgraphs that
 * trust it and call them the way the gateway does.
 */
import {
  createInternalSigner,
  generateInternalKeyPair,
  internalAuthorization,
  internalKeyEnv,
  type InternalClaims,
} from '../../src/index.js';

const pair = generateInternalKeyPair();
const signer = createInternalSigner(pair.privateKey, { reuseSeconds: 0 });

/** GATEWAY_SIGNING_KEY for a gateway and GATEWAY_PUBLIC_KEY for its subgraphs. */
export const GATEWAY_KEYS = internalKeyEnv(pair);

/** Headers of a request signed as the gateway, by default for a GOVERNMENT caller. */
export async function gatewayHeaders(claims: Partial<InternalClaims> = {}): Promise<Record<string, string>> {
  const token = await signer.sign({
    tier: 'GOVERNMENT',
    client: 'test-suite',
    purpose: 'testing',
    consents: {},
    ...claims,
  });
  return { authorization: internalAuthorization(token) };
}

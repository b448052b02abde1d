/**
 * An analyst explores a subject's provenance and counts lists and measures over a set of codes,
 * as an ANALYST caller: public data, identifiers masked, no purpose needed.
 *
 *   CREDIT_TOKEN=$(npm run -s auth -- token --tier ANALYST --client analyst-workbench) \
 *     node clients/examples/dist/analyst-explore.js
 */
import {
  createCreditClient,
  CreditStatisticsDocument,
  ExploreDocument,
  type CreditClientOptions,
} from '@credit-gateway/clients';
import { gatewayUrl, required, runAsProgram } from './env.js';

export async function explore(options: Pick<CreditClientOptions, 'url' | 'token' | 'fetch'>, code: string) {
  const client = createCreditClient(options);
  const { enterprise } = await client.request(ExploreDocument, { code });
  return {
    division: enterprise?.codeInfo.divisionCode ?? null,
    name: enterprise?.marketRegulation?.registration?.name ?? null,
    // 条条可溯源: every record with the department system and its own id there.
    sources: [
      ...(enterprise?.marketRegulation?.registration ? [enterprise.marketRegulation.registration.provenance] : []),
      ...(enterprise?.marketRegulation?.penalties ?? []).map((penalty) => penalty.provenance),
    ].map((provenance) => `${provenance.source}:${provenance.recordId}`),
  };
}

export async function statistics(options: Pick<CreditClientOptions, 'url' | 'token' | 'fetch'>, codes: string[]) {
  const client = createCreditClient(options);
  const { creditStatistics } = await client.request(CreditStatisticsDocument, { codes });
  return creditStatistics.statistics.byDivision;
}

await runAsProgram(import.meta.url, async () => {
  const options = { url: gatewayUrl(), token: required('CREDIT_TOKEN') };
  return {
    explore: await explore(options, process.argv[2] ?? '91330106MA27XW9P6R'),
    byDivision: await statistics(options, ['91500112MA60YD7K76', '91500155MA5UQ01CXD', '91441900MA4UW2DQ7T']),
  };
});

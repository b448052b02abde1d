/**
 * The court enforcement linkage (执行联动) walks the feed of debtor restriction changes to its end,
 * as a JUDICIAL caller; an implementing department then reports what it did on one restriction
 * (执行反馈), as a GOVERNMENT caller. Both state a purpose.
 *
 *   CREDIT_TOKEN=$(npm run -s auth -- token --tier JUDICIAL --client court-linkage) \
 *   FEEDBACK_TOKEN=$(npm run -s auth -- token --tier GOVERNMENT --client civil-aviation-bureau) \
 *     node clients/examples/dist/court-feed.js
 */
import {
  createCreditClient,
  DebtorRestrictionsDocument,
  ReportEnforcementFeedbackDocument,
  WalkDocument,
  type CreditClientOptions,
  type WalkQuery,
} from '@credit-gateway/clients';
import { chinaDate, gatewayUrl, required, runAsProgram } from './env.js';

export type Change = WalkQuery['debtorRestrictions']['edges'][number]['node'];

/** Every change since `since`, oldest first; keep the returned cursor and pass it as `after` next time. */
export async function walkFeed(
  options: Pick<CreditClientOptions, 'url' | 'token' | 'fetch'>,
  since: string,
  after: string | null = null,
): Promise<{ changes: Change[]; cursor: string | null; pages: number }> {
  const client = createCreditClient({ ...options, purpose: 'ENFORCEMENT_LINKAGE' });
  const changes: Change[] = [];
  let cursor = after;
  let pages = 0;
  for (;;) {
    const { debtorRestrictions } = await client.request(WalkDocument, { since, after: cursor, first: 100 });
    pages++;
    changes.push(...debtorRestrictions.edges.map((edge) => edge.node));
    cursor = debtorRestrictions.pageInfo.endCursor ?? cursor;
    if (!debtorRestrictions.pageInfo.hasNextPage) return { changes, cursor, pages };
  }
}

/** The restrictions on a company and on the person its order binds. */
export async function restrictionsOf(
  options: Pick<CreditClientOptions, 'url' | 'token' | 'fetch'>,
  code: string,
  person: string,
) {
  const client = createCreditClient({ ...options, purpose: 'ENFORCEMENT_LINKAGE' });
  return client.request(DebtorRestrictionsDocument, { code, person });
}

/** An implementing department's report on one restriction of one change. Idempotent by key. */
export async function reportFeedback(
  options: Pick<CreditClientOptions, 'url' | 'token' | 'fetch'>,
  input: { changeId: string; measureId: string; action: string; actedOn: string; idempotencyKey: string },
) {
  const client = createCreditClient({ ...options, purpose: 'ENFORCEMENT_FEEDBACK' });
  const { reportEnforcementFeedback } = await client.request(ReportEnforcementFeedbackDocument, { input });
  return reportEnforcementFeedback;
}

await runAsProgram(import.meta.url, async () => {
  const url = gatewayUrl();
  const walk = await walkFeed({ url, token: required('CREDIT_TOKEN') }, '2020-01-01T00:00:00+08:00');
  const restricted = walk.changes.find((change) => change.listed && change.restrictions.length > 0);
  const feedback =
    restricted && process.env['FEEDBACK_TOKEN']
      ? await reportFeedback(
          { url, token: process.env['FEEDBACK_TOKEN'] },
          {
            changeId: restricted.id,
            measureId: restricted.restrictions[0]!.measure.id,
            action: '已在购票系统中落实限制',
            actedOn: chinaDate(),
            idempotencyKey: `feedback-${restricted.id}`,
          },
        )
      : null;
  return { changes: walk.changes.length, pages: walk.pages, cursor: walk.cursor, feedback };
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, demoCode, population, unregisteredCodes } from '@credit-gateway/sources';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ populationSize: 2_000 });
});
afterAll(async () => {
  await stack?.close();
});

const PROFILE = /* GraphQL */ `
  query Profile($code: CreditCode!) {
    enterprise(code: $code) {
      code
      codeInfo {
        registrationAuthority
        organizationCategory
        divisionCode
        organizationCode
      }
      marketRegulation {
        registration {
          name
          status
          statusText
          kind
          legacyRegistrationNumber
          legalRepresentative {
            name
            person {
              idNumber
              courts {
                dishonestDebtorRecords {
                  caseNumber
                  status
                }
              }
            }
          }
          provenance {
            source
            recordId
            asOf
          }
        }
        penalties {
          decisionNumber
          decidedOn
          provenance {
            source
          }
        }
        abnormalOperations {
          listedOn
          removedOn
        }
        seriousIllegalListings {
          listedOn
          removedOn
        }
        honours {
          name
          year
        }
      }
      tax {
        taxpayerNumber
        creditGrades {
          year
          grade
          score
          published
          provenance {
            source
          }
        }
        majorViolations {
          caseNature
          publishedOn
          publicityEndsOn
          responsibleFinanceOfficer {
            name
            person {
              idNumber
            }
          }
        }
        arrearsNotices {
          taxType
          amount
          announcedOn
        }
      }
      courts {
        dishonestDebtorRecords {
          caseNumber
          enforcingCourt
          performance
          performedPart
          unperformedPart
          status
          provenance {
            source
          }
        }
        consumptionRestrictions {
          caseNumber
          role
          status
          restrictedItems
          boundPersons {
            name
            role
            person {
              idNumber
            }
          }
        }
      }
      socialSecurity {
        unitNumber
        insuredHeadcount
        contributionStatus
        arrears
        labourSecurityGrade
        contributions(months: 3) {
          period
          amountDue
          amountPaid
        }
        wageArrearsListings {
          reason
          amountOwed
          listedOn
          removedOn
        }
        provenance {
          source
        }
      }
      procurement {
        banned
        seriousDishonestyRecords {
          recordedOn
          banEndsOn
          active
          authority
        }
        contracts {
          signedOn
          amount
        }
      }
    }
  }
`;

async function profile(code: string) {
  const { status, body } = await stack.query(PROFILE, { code });
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data.enterprise;
}

describe('one unified profile, joined from five department systems', () => {
  it('answers every section of a clean A-grade SME', async () => {
    const subject = await profile(demoCode('clean-sme'));
    expect(subject.code).toBe('91500155MA5UQ01CXD');
    expect(subject.codeInfo).toEqual({
      registrationAuthority: 'MARKET_REGULATION',
      organizationCategory: 'ENTERPRISE',
      divisionCode: '500155',
      organizationCode: 'MA5UQ01CX',
    });
    expect(subject.marketRegulation.registration).toMatchObject({
      name: '重庆清泉精密机械有限公司',
      status: 'EXISTING',
      legalRepresentative: {
        name: '李清泉',
        person: { idNumber: DEMO_PEOPLE.cleanSmeRepresentative.idNumber, courts: { dishonestDebtorRecords: [] } },
      },
      provenance: { source: 'MARKET' },
    });
    expect(subject.marketRegulation.honours).toEqual([
      { name: '守合同重信用企业', year: 2025 },
      { name: '守合同重信用企业', year: 2024 },
    ]);
    expect(subject.tax.creditGrades.slice(0, 3).map((g: any) => [g.year, g.grade, g.published])).toEqual([
      [2025, 'A', true],
      [2024, 'A', true],
      [2023, 'A', true],
    ]);
    expect(subject.tax.majorViolations).toEqual([]);
    expect(subject.courts).toEqual({ dishonestDebtorRecords: [], consumptionRestrictions: [] });
    expect(subject.socialSecurity).toMatchObject({
      insuredHeadcount: 46,
      contributionStatus: 'NORMAL',
      arrears: 0,
      labourSecurityGrade: 'A',
    });
    expect(subject.socialSecurity.contributions).toHaveLength(3);
    expect(subject.procurement).toMatchObject({ banned: false, seriousDishonestyRecords: [] });
    expect(subject.procurement.contracts.map((c: any) => c.signedOn)).toEqual(['2025-08-27', '2024-04-16']);
  });

  it('shows a dishonest debtor with partial performance, its restriction and the person it binds', async () => {
    const subject = await profile(demoCode('partial-debtor'));
    expect(subject.courts.dishonestDebtorRecords).toEqual([
      {
        caseNumber: '(2023)渝0112执1234号',
        enforcingCourt: '重庆市渝北区人民法院',
        performance: 'PARTIALLY_PERFORMED',
        performedPart: expect.stringContaining('600000'),
        unperformedPart: expect.stringContaining('1260000'),
        status: 'LISTED',
        provenance: { source: 'COURTS' },
      },
    ]);
    const [order] = subject.courts.consumptionRestrictions;
    expect(order).toMatchObject({ role: 'SUBJECT', status: 'ACTIVE' });
    expect(order.restrictedItems).toHaveLength(9);
    expect(order.boundPersons).toEqual([
      {
        name: '周德明',
        role: 'LEGAL_REPRESENTATIVE',
        person: { idNumber: DEMO_PEOPLE.partialDebtorRepresentative.idNumber },
      },
    ]);
    expect(subject.procurement.banned).toBe(true);
  });

  it('shows a procurement ban that ended recently as a record that no longer bans', async () => {
    const subject = await profile(demoCode('procurement-ban-ended'));
    expect(subject.procurement.seriousDishonestyRecords).toEqual([
      { recordedOn: '2023-10-20', banEndsOn: '2026-10-19', active: false, authority: '福州市财政局' },
    ]);
    expect(subject.procurement.banned).toBe(false);
  });

  it('shows an abnormal-operations listing and its removal', async () => {
    const subject = await profile(demoCode('abnormal-removed'));
    expect(subject.marketRegulation.abnormalOperations).toEqual([{ listedOn: '2024-07-15', removedOn: '2025-01-20' }]);
  });

  it('shows a wage-arrears employer behind on contributions', async () => {
    const subject = await profile(demoCode('wage-arrears'));
    expect(subject.socialSecurity).toMatchObject({ contributionStatus: 'IN_ARREARS', labourSecurityGrade: 'C' });
    expect(subject.socialSecurity.arrears).toBeGreaterThan(0);
    expect(subject.socialSecurity.wageArrearsListings).toEqual([
      { reason: expect.any(String), amountOwed: 1_285_000, listedOn: '2025-09-10', removedOn: null },
    ]);
  });

  it('reaches the legal representative who is personally a dishonest debtor, through federation', async () => {
    const subject = await profile(demoCode('rep-is-debtor'));
    expect(subject.courts).toEqual({ dishonestDebtorRecords: [], consumptionRestrictions: [] });
    expect(subject.marketRegulation.registration.legalRepresentative).toEqual({
      name: '王建国',
      person: {
        idNumber: DEMO_PEOPLE.debtorRepresentative.idNumber,
        courts: { dishonestDebtorRecords: [{ caseNumber: '(2024)川0104执2817号', status: 'LISTED' }] },
      },
    });
  });

  it('shows a major tax violator with its finance officer', async () => {
    const subject = await profile(demoCode('major-tax-violator'));
    expect(subject.tax.majorViolations).toEqual([
      {
        caseNature: '虚开增值税专用发票',
        publishedOn: '2025-03-18',
        publicityEndsOn: '2028-03-18',
        responsibleFinanceOfficer: { name: '陈海燕', person: { idNumber: DEMO_PEOPLE.taxFinanceOfficer.idNumber } },
      },
    ]);
    expect(subject.tax.creditGrades[0]).toMatchObject({ year: 2025, grade: 'D', score: null, published: false });
  });

  it('covers deregistered, individual, social organization, cooperative and pre-2015 subjects', async () => {
    const deregistered = await profile(demoCode('deregistered'));
    expect(deregistered.marketRegulation.registration).toMatchObject({ status: 'DEREGISTERED', statusText: '注销' });
    expect(deregistered.socialSecurity.contributionStatus).toBe('CLOSED');

    const individual = await profile(demoCode('individual-business'));
    expect(individual.codeInfo.organizationCategory).toBe('INDIVIDUAL_BUSINESS');
    expect(individual.marketRegulation.registration.kind).toBe('INDIVIDUAL_BUSINESS');

    const association = await profile(demoCode('social-org'));
    expect(association.codeInfo).toMatchObject({
      registrationAuthority: 'CIVIL_AFFAIRS',
      organizationCategory: 'SOCIAL_ASSOCIATION',
    });
    expect(association.marketRegulation.registration).toMatchObject({
      kind: 'SOCIAL_ORGANIZATION',
      name: '上海市浦东新区软件行业协会',
    });

    const cooperative = await profile(demoCode('farmer-coop'));
    expect(cooperative.codeInfo.organizationCategory).toBe('FARMER_COOPERATIVE');

    const legacy = await profile(demoCode('legacy-registration'));
    expect(legacy.marketRegulation.registration.legacyRegistrationNumber).toBe('320500000084126');
    expect(legacy.tax.taxpayerNumber).toBe('320505608263159');
  });

  it('accepts the allow-listed code that fails its check character, and serves its profile', async () => {
    const subject = await profile(demoCode('legacy-check-fail'));
    expect(subject.code).toBe('91350100M000147283');
    expect(subject.marketRegulation.registration.name).toBe('福州榕城港务有限公司');
  });

  it('answers null, with no error, for a valid code no department registered', async () => {
    const unknown = unregisteredCodes().next().value!;
    const { body } = await stack.query('query($code: CreditCode!) { enterprise(code: $code) { code } }', {
      code: unknown,
    });
    expect(body).toEqual({ data: { enterprise: null } });
  });

  it('serves a natural person by ID number', async () => {
    const { body } = await stack.query(
      'query($id: IdNumber!) { person(idNumber: $id) { idNumber birthDate gender courts { dishonestDebtorRecords { name status } consumptionRestrictions { role } } } }',
      { id: DEMO_PEOPLE.debtorRepresentative.idNumber },
    );
    expect(body).toEqual({
      data: {
        person: {
          idNumber: '510107198203154517',
          birthDate: '1982-03-15',
          gender: 'MALE',
          courts: {
            dishonestDebtorRecords: [{ name: '王建国', status: 'LISTED' }],
            consumptionRestrictions: [{ role: 'SUBJECT' }],
          },
        },
      },
    });
  });
});

describe('batch checks', () => {
  const BATCH = /* GraphQL */ `
    query Batch($codes: [CreditCode!]!) {
      enterprises(codes: $codes) {
        code
        marketRegulation {
          registration {
            name
          }
        }
        tax {
          creditGrades {
            grade
          }
        }
        courts {
          dishonestDebtorRecords {
            status
          }
        }
        socialSecurity {
          insuredHeadcount
        }
        procurement {
          banned
        }
      }
    }
  `;

  it('answers in input order, with null for unknown codes and duplicates kept', async () => {
    const unknown = unregisteredCodes().next().value!;
    const codes = [demoCode('wage-arrears'), unknown, demoCode('clean-sme'), demoCode('wage-arrears')];
    const { body } = await stack.query(BATCH, { codes });
    expect(body.errors).toBeUndefined();
    expect(body.data.enterprises.map((e: any) => e?.code ?? null)).toEqual([codes[0], null, codes[2], codes[3]]);
    expect(body.data.enterprises[2].marketRegulation.registration.name).toBe('重庆清泉精密机械有限公司');
  });

  it('costs one request per subgraph and one call per department for 500 codes', async () => {
    const codes = [...population(500)].slice(0, 500);
    await stack.resetStats();
    const { body } = await stack.query(BATCH, { codes });
    expect(body.errors).toBeUndefined();
    expect(body.data.enterprises.map((e: any) => e.code)).toEqual(codes);
    expect(stack.subgraphRequests()).toEqual({
      market: 1,
      tax: 1,
      courts: 1,
      'social-security': 1,
      procurement: 1,
      credit: 0,
    });
    const calls = await stack.sourceCalls();
    expect(calls).toMatchObject({ market: 1, tax: 1, courts: 1, 'social-security': 1, procurement: 1 });
  });

  it('refuses a batch above the configured maximum before any subgraph is called', async () => {
    const codes = [...population(501)].slice(0, 501);
    await stack.resetStats();
    const { body } = await stack.query(BATCH, { codes });
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: "'codes' holds 501 items; at most 500 are allowed in one request",
        extensions: { code: 'BATCH_TOO_LARGE', argument: 'codes', size: 501, maximum: 500 },
      },
    ]);
    expect(stack.subgraphRequests()).toEqual({
      market: 0,
      tax: 0,
      courts: 0,
      'social-security': 0,
      procurement: 0,
      credit: 0,
    });
  });
});

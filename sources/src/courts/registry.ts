import { DEMO_SUBJECTS } from '../demo/subjects.js';
import { divisionFor } from '../generator/divisions.js';
import { population } from '../generator/population.js';
import { generatedPerson } from '../generator/subject.js';
import { companyCourtHistory, isGeneratedCompanyDebtor, isGeneratedPersonalDebtor } from './records.js';

/**
 * What the courts' system holds besides the records themselves, built once at start-up from the
 * population it is seeded with (the demo subjects first).
 */
export interface CourtsRegistry {
  /** The companies the courts can match, by 9-character organization code → credit code. */
  companies: ReadonlyMap<string, string>;
  /** Companies whose restriction orders bind a person (as officer), by the person's ID number. */
  bindingCompanies: ReadonlyMap<string, readonly string[]>;
  /** The names the courts hold for personal debtors who are also company officers, by ID number. */
  names: ReadonlyMap<string, string>;
}

/**
 * Indexes the population. Only debtors (about 3%) get their records generated here; for every
 * other code the index costs a hash and the legal representative's generated identity.
 */
export function buildCourtsRegistry(populationSize: number): CourtsRegistry {
  const companies = new Map<string, string>();
  const bindingCompanies = new Map<string, string[]>();
  const names = new Map<string, string>();
  for (const code of population(populationSize)) {
    const organizationCode = code.slice(8, 17);
    if (!companies.has(organizationCode)) companies.set(organizationCode, code);
    if (!DEMO_SUBJECTS.has(code)) {
      // The same identity subjectFacts gives the legal representative, without building all the facts.
      const representative = generatedPerson(code, divisionFor(code.slice(2, 8)).code);
      if (isGeneratedPersonalDebtor(representative.idNumber)) names.set(representative.idNumber, representative.name);
      if (!isGeneratedCompanyDebtor(code)) continue;
    }
    for (const order of companyCourtHistory(code).xzxfl) {
      for (const person of order.glry) {
        if (person.zjhm === '') continue;
        const bound = bindingCompanies.get(person.zjhm);
        if (!bound) bindingCompanies.set(person.zjhm, [code]);
        else if (!bound.includes(code)) bound.push(code);
        if (isGeneratedPersonalDebtor(person.zjhm)) names.set(person.zjhm, person.xm);
      }
    }
  }
  return { companies, bindingCompanies, names };
}

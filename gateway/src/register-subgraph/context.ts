import type { Logger } from '@credit-gateway/common';
import type { QueryRegister } from '../register/index.js';
import type { SubjectKeys } from '../subjects.js';

export interface EnterpriseRef {
  code: string;
}

export interface PersonRef {
  idNumber: string;
}

/** The register subgraph runs inside the gateway and reads the gateway's own register. */
export interface RegisterContext {
  register: QueryRegister;
  subjects: SubjectKeys;
  logger: Logger;
}

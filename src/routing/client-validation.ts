// Whether two client-certificate validations ask for and check the same thing: the table
// comparison, the data plane's secure-context reuse and its misdirected-request check share it.
import type { ClientCertificateValidation } from './types.ts';

export function sameClientValidation(a: ClientCertificateValidation | undefined, b: ClientCertificateValidation | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.mode === b.mode && a.caPem === b.caPem && a.crlPem === b.crlPem && a.verifyDepth === b.verifyDepth;
}

// Errors of the ACME subsystem, each with a stable `code` that logs, metrics and tests match on.

/** Storage.load/stat of a key that does not exist (certmagic's fs.ErrNotExist). */
export class NotFoundError extends Error {
  readonly code = 'ERR_BOLLARD_ACME_NOT_FOUND';
  readonly key: string;

  constructor(key: string) {
    super(`no such key: ${key}`);
    this.key = key;
  }
}

/** A fenced write or delete whose lock is no longer held by the writer (a newer holder exists). */
export class FencedError extends Error {
  readonly code = 'ERR_BOLLARD_ACME_FENCED';
  readonly lockName: string;

  constructor(lockName: string, key: string) {
    super(`write to ${key} refused: lock ${lockName} is no longer held by this writer`);
    this.lockName = lockName;
  }
}

/** Waiting for a lock was aborted by the caller's signal. */
export class LockAbortedError extends Error {
  readonly code = 'ERR_BOLLARD_ACME_LOCK_ABORTED';
}

/** A held lock's lease was lost (expired while etcd was unreachable, or revoked). */
export class LockLostError extends Error {
  readonly code = 'ERR_BOLLARD_ACME_LOCK_LOST';
}

/** The storage (or its etcd connection) was closed. */
export class StorageClosedError extends Error {
  readonly code = 'ERR_BOLLARD_ACME_STORAGE_CLOSED';
}

/** Bad etcd client configuration (unreadable TLS files, no endpoints). */
export class EtcdConfigError extends Error {
  readonly code = 'ERR_BOLLARD_ETCD_CONFIG';
}

/** An ACME order that the CA refused or that could not complete; `detail` is the CA's text. */
export class AcmeOrderError extends Error {
  readonly code = 'ERR_BOLLARD_ACME_ORDER';
  readonly detail: string;

  constructor(message: string, detail: string) {
    super(message);
    this.detail = detail;
  }
}

/** The text of any thrown value, for logs and Events. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why an issuer (the AcmeIssuer or the flags' default) cannot order: its Ready condition's reason. */
export type IssuerProblemReason =
  | 'IssuerNotFound' | 'InvalidSpec' | 'SecretNotFound' | 'ChallengeUnsupported'
  | 'DirectoryUnreachable' | 'DirectoryInvalid' | 'AccountRegistrationFailed';

/** The issuer cannot order certificates; `reason` is the Ready condition's reason. */
export class AcmeIssuerError extends Error {
  readonly code = 'ERR_BOLLARD_ACME_ISSUER';
  readonly reason: IssuerProblemReason;

  constructor(reason: IssuerProblemReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A DNS-01 provider failed (update refused, TSIG rejected, record not visible in time). */
export class Dns01Error extends Error {
  readonly code = 'ERR_BOLLARD_ACME_DNS01';
}

// What the leader tells about the issuer's state: a log line every time, and on each change the
// AcmeIssuer's Ready condition (status subresource), an Event on the AcmeIssuer, and — while it
// is not ready — an Event on the Ingresses waiting for certificates, so `kubectl describe
// ingress` says why none comes. Writes that fail are logged; the state is reported again on the
// next change or retry.
import type { IngressEvent } from '../kube/events.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../log/logger.ts';
import { errorText } from './errors.ts';
import { readyCondition, recordIssuerEvent, writeIssuerStatus, type AcmeIssuerObject } from './issuer-resource.ts';
import type { IssuerState } from './issuer-runner.ts';
import type { AcmeMetrics } from './metrics.ts';

export interface IssuerReporterDeps {
  readonly log: Logger;
  readonly metrics: AcmeMetrics;
  /** With an AcmeIssuer: the client and the object as last seen. */
  readonly kube?: { readonly client: KubeClient; readonly current: () => AcmeIssuerObject | undefined };
  readonly instance: string;
  /** An Event on every Ingress that wants an ACME name. */
  readonly ingressEvent: (event: IngressEvent) => void;
  readonly now: () => number;
}

function summary(state: IssuerState): { ready: boolean; reason: string; message: string } {
  if (state.ready) return { ready: true, reason: 'AccountReady', message: `ACME account ${state.accountUrl} at ${state.profile.directoryUrl} is ready` };
  return { ready: false, reason: state.error.reason, message: state.error.message };
}

export function createIssuerReporter(deps: IssuerReporterDeps): (state: IssuerState) => void {
  const { log } = deps;
  let last = '';

  const writeStatus = (state: IssuerState, s: { ready: boolean; reason: string; message: string }): void => {
    const issuer = deps.kube?.current();
    if (!deps.kube || !issuer) return;
    const next = !state.ready && state.nextAttemptAt !== undefined
      ? `${s.message} (attempt ${state.attempts}; next at ${new Date(state.nextAttemptAt).toISOString()})`
      : s.message;
    const condition = readyCondition(issuer.conditions, { ...s, message: next, generation: issuer.generation }, new Date(deps.now()));
    writeIssuerStatus(deps.kube.client, issuer, condition, state.ready ? state.accountUrl : undefined)
      .catch((err: unknown) => { log.warn('could not write the AcmeIssuer status', { issuer: issuer.name, err: errorText(err) }); });
  };

  const recordEvents = (s: { ready: boolean; reason: string; message: string }): void => {
    const issuer = deps.kube?.current();
    if (deps.kube && issuer) {
      recordIssuerEvent(deps.kube.client, issuer, { type: s.ready ? 'Normal' : 'Warning', reason: s.reason, message: s.message }, { component: 'bollard', instance: deps.instance })
        .catch((err: unknown) => { log.warn('could not record an AcmeIssuer Event', { issuer: issuer.name, err: errorText(err) }); });
    }
    if (!s.ready) deps.ingressEvent({ type: 'Warning', reason: 'AcmeIssuerNotReady', message: `no certificates are ordered: ${s.reason}: ${s.message}` });
  };

  return (state) => {
    deps.metrics.issuerReady.set(state.ready ? 1 : 0);
    const s = summary(state);
    if (state.ready) log.info('ACME issuer ready', { source: state.profile.source, directory: state.profile.directoryUrl, account: state.accountUrl, keyType: state.profile.keyType, challenge: state.profile.challenge });
    else log.warn('ACME issuer not ready', { reason: s.reason, message: s.message, attempts: state.attempts, ...(state.nextAttemptAt === undefined ? {} : { nextAttemptAt: new Date(state.nextAttemptAt).toISOString() }) });
    writeStatus(state, s);
    const key = `${s.reason}\n${s.message}`;
    if (key === last) return;
    last = key;
    recordEvents(s);
  };
}

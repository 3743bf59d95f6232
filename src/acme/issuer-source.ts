// Where the issuer's settings come from: the flags (--acme-directory, --acme-email) when no
// AcmeIssuer is named, else the named AcmeIssuer, watched; each change of its spec yields a new
// source for the issuer runner (a problem when it is missing or invalid).
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../log/logger.ts';
import { AcmeIssuerError } from './errors.ts';
import { flagsProfile, kubeSecretReader, resolveProfile, type Dns01Factory } from './issuer-profile.ts';
import { watchAcmeIssuer, type AcmeIssuerObject } from './issuer-resource.ts';
import type { IssuerSource } from './issuer-runner.ts';
import { parseIssuerSpec } from './issuer-spec.ts';

export interface SourceUpdate {
  readonly source: IssuerSource;
  /** The issuer validates with DNS-01 (wildcards can be ordered). */
  readonly dns01: boolean;
}

export interface IssuerSourceHandle {
  /** `fn` gets the latest update at once (if any) and every later one. */
  onChange(fn: (u: SourceUpdate) => void): void;
  /** With an AcmeIssuer: the object as last seen. */
  readonly current?: () => AcmeIssuerObject | undefined;
  readonly done: Promise<void>;
}

export interface IssuerSourceOptions {
  readonly name: string;
  readonly kube?: KubeClient;
  readonly log: Logger;
  readonly directory: string;
  readonly email: string;
  readonly dns01Factory?: Dns01Factory;
}

export function sourceFromObject(o: IssuerSourceOptions & { kube: KubeClient }, issuer: AcmeIssuerObject | undefined): SourceUpdate {
  if (!issuer) return { dns01: false, source: { kind: 'problem', error: new AcmeIssuerError('IssuerNotFound', `the AcmeIssuer ${o.name} does not exist`) } };
  const parsed = parseIssuerSpec(issuer.spec);
  if (!parsed.ok) return { dns01: false, source: { kind: 'problem', error: new AcmeIssuerError('InvalidSpec', `the AcmeIssuer ${o.name} is invalid: ${parsed.message}`) } };
  const read = kubeSecretReader(o.kube);
  return {
    dns01: parsed.spec.challenge.type === 'dns-01',
    source: { kind: 'profile', resolve: () => resolveProfile(o.name, parsed.spec, read, o.dns01Factory) },
  };
}

export function startIssuerSource(o: IssuerSourceOptions, signal: AbortSignal): IssuerSourceHandle {
  const listeners: ((u: SourceUpdate) => void)[] = [];
  let latest: SourceUpdate | undefined;
  const emit = (u: SourceUpdate): void => {
    latest = u;
    for (const fn of listeners) fn(u);
  };
  const onChange = (fn: (u: SourceUpdate) => void): void => {
    listeners.push(fn);
    if (latest) fn(latest);
  };
  if (o.name === '') {
    latest = { dns01: false, source: { kind: 'profile', resolve: () => Promise.resolve(flagsProfile(o.directory, o.email)) } };
    return { onChange, done: Promise.resolve() };
  }
  const kube = o.kube;
  if (!kube) {
    latest = { dns01: false, source: { kind: 'problem', error: new AcmeIssuerError('IssuerNotFound', `the AcmeIssuer ${o.name} cannot be read without a Kubernetes client`) } };
    return { onChange, done: Promise.resolve() };
  }
  const watch = watchAcmeIssuer({ client: kube, log: o.log }, o.name, (issuer) => {
    o.log.info('AcmeIssuer changed', { issuer: o.name, present: issuer !== undefined, generation: issuer?.generation });
    emit(sourceFromObject({ ...o, kube }, issuer));
  }, signal);
  return { onChange, current: watch.current, done: watch.done };
}

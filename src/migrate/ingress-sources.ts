// Where `bollard migrate report` gets its Ingresses: YAML files (multi-document, List kinds expanded)
// or the API server of a kubeconfig (every namespace, paged).
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { Json, KubeClient } from '../kube/client.ts';
import { toIngress } from '../kube/convert.ts';
import type { IngressObject } from '../snapshot/model.ts';

export class IngressSourceError extends Error {
  readonly code = 'ERR_BOLLARD_INGRESS_SOURCE';
}

const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Ingresses among the objects, `kind: List` (and `IngressList`) items included; other kinds are skipped. */
export function ingressesOf(objects: readonly unknown[]): IngressObject[] {
  const out: IngressObject[] = [];
  for (const o of objects) {
    if (!isJson(o)) continue;
    const items: unknown = o.items;
    // The API server's IngressList leaves `kind` out of its items.
    if (Array.isArray(items)) out.push(...ingressesOf(items.map((i: unknown) => (isJson(i) && o.kind === 'IngressList' ? { kind: 'Ingress', ...i } : i))));
    else if (o.kind === 'Ingress') out.push(toIngress(o));
  }
  return out;
}

export function parseIngressYaml(text: string, source: string): IngressObject[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  const objects: unknown[] = [];
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first !== undefined) throw new IngressSourceError(`${source}: ${first.message}`);
    objects.push(doc.toJS());
  }
  return ingressesOf(objects);
}

export async function readIngressFiles(paths: readonly string[]): Promise<IngressObject[]> {
  const all: IngressObject[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
    } catch (err: unknown) {
      throw new IngressSourceError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    all.push(...parseIngressYaml(text, path));
  }
  return all;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export async function listClusterIngresses(client: KubeClient, namespace: string): Promise<IngressObject[]> {
  const base = namespace === '' ? '/apis/networking.k8s.io/v1/ingresses' : `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/ingresses`;
  const all: IngressObject[] = [];
  let next = '';
  do {
    const page = await client.request('GET', `${base}?limit=500${next === '' ? '' : `&continue=${encodeURIComponent(next)}`}`);
    all.push(...ingressesOf([{ ...page, kind: 'IngressList' }]));
    const meta = isJson(page.metadata) ? page.metadata : {};
    next = typeof meta.continue === 'string' ? meta.continue : '';
  } while (next !== '');
  return all;
}

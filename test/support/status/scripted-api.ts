// Test helper: a KubeClient over a few objects held by path, answering as the API server does for
// what the status writers use — GET an object, PATCH a JSON merge patch to its /status, with a
// metadata.resourceVersion in the patch as a precondition (409 Conflict when the object moved on) —
// and what the Gateway Service writer uses: POST to a collection, PATCH an object, DELETE it.
// Every request is recorded, and a test can run a step just before a request is answered (another
// writer landing between our read and our write) or fail one.
import { KubeApiError, type Json, type KubeClient } from '../../../src/kube/client.ts';

type Method = Parameters<KubeClient['request']>[0];

export interface ScriptedRequest {
  readonly method: Method;
  readonly path: string;
  readonly body?: Json;
}

export interface ScriptedApi {
  readonly client: KubeClient;
  readonly requests: ScriptedRequest[];
  /** Holds `object` at `path` (the object's path, not its /status) at a new resourceVersion. */
  put(path: string, object: Json): void;
  object(path: string): Json | undefined;
  /** Runs `step` before the next `times` matching requests are handled; a step that throws fails the request. */
  before(method: Method, path: string, step: () => void, times?: number): void;
  /** A merge patch from another writer, straight to the held object (a new resourceVersion). */
  patch(path: string, body: Json): void;
}

// Through JSON, as over the wire (and inside Jest's VM realm: structuredClone would make objects
// of the host realm, which isDeepStrictEqual tells apart).
const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge, null deletes, anything else (lists included) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return viaJson(patch);
  const base = isObject(target) ? target : {};
  const kept = Object.entries(base).filter(([k]) => !(k in patch));
  const merged = Object.entries(patch).filter(([, v]) => v !== null).map(([k, v]) => [k, mergePatch(base[k], v)]);
  return Object.fromEntries([...kept, ...merged]) as Json;
}

export function scriptedApi(): ScriptedApi {
  const objects = new Map<string, Json>();
  const requests: ScriptedRequest[] = [];
  const steps: { method: Method; path: string; step: () => void; left: number }[] = [];
  let version = 100;
  const store = (path: string, object: Json): void => {
    version += 1;
    const metadata = isObject(object.metadata) ? object.metadata : {};
    objects.set(path, { ...object, metadata: { ...metadata, resourceVersion: String(version) } });
  };
  const patchStatus = (path: string, body: Json): Json => {
    const current = objects.get(path);
    if (current === undefined) throw new KubeApiError(404, 'NotFound', `${path} not found`);
    const wanted = isObject(body.metadata) ? body.metadata.resourceVersion : undefined;
    const held = (current.metadata as Json).resourceVersion;
    if (wanted !== undefined && wanted !== held) throw new KubeApiError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again');
    // The status subresource takes status only.
    store(path, { ...current, status: mergePatch(current.status, body.status) });
    return objects.get(path) ?? {};
  };
  const patchObject = (path: string, body: Json): Json => {
    const current = objects.get(path);
    if (current === undefined) throw new KubeApiError(404, 'NotFound', `${path} not found`);
    store(path, mergePatch(current, body) as Json);
    return objects.get(path) ?? {};
  };
  const create = (collection: string, body: Json): Json => {
    const name = isObject(body.metadata) ? body.metadata.name : undefined;
    const path = `${collection}/${String(name)}`;
    if (objects.has(path)) throw new KubeApiError(409, 'AlreadyExists', `${path} already exists`);
    store(path, viaJson(body));
    return objects.get(path) ?? {};
  };
  const remove = (path: string): Json => {
    if (!objects.delete(path)) throw new KubeApiError(404, 'NotFound', `${path} not found`);
    return {};
  };
  const get = (path: string): Json => {
    const held = objects.get(path);
    if (held === undefined) throw new KubeApiError(404, 'NotFound', `${path} not found`);
    return viaJson(held);
  };
  const answer = (method: Method, path: string, body: Json | undefined): Json => {
    if (method === 'GET') return get(path);
    if (method === 'DELETE') return remove(path);
    if (body === undefined) throw new KubeApiError(400, 'BadRequest', `${method} ${path} without a body`);
    if (method === 'PATCH') return path.endsWith('/status') ? patchStatus(path.slice(0, -'/status'.length), body) : patchObject(path, body);
    if (method === 'POST') return create(path, body);
    throw new KubeApiError(405, 'MethodNotAllowed', `${method} ${path}`);
  };
  const api: ScriptedApi = {
    requests,
    put: store,
    object: (path) => objects.get(path),
    before(method, path, step, times = 1) { steps.push({ method, path, step, left: times }); },
    patch(path, body) { patchStatus(path, { status: body.status }); },
    client: {
      request(method, path, body) {
        requests.push({ method, path, ...(body === undefined ? {} : { body: viaJson(body) }) });
        try {
          const s = steps.find((x) => x.method === method && x.path === path && x.left > 0);
          if (s !== undefined) {
            s.left -= 1;
            s.step();
          }
          return Promise.resolve(answer(method, path, body));
        } catch (err: unknown) {
          return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
      },
      watch: () => Promise.resolve(),
    },
  };
  return api;
}

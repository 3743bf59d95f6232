// A worker's questions to the primary over IPC (HTTP-01 answers), each with a deadline: the
// primary may be busy (a read-through to etcd) or stuck, and a request must not wait on it
// forever. An answer that comes after the deadline is dropped.

export class PrimaryTimeoutError extends Error {
  readonly code = 'PRIMARY_TIMEOUT';
}

export interface PrimaryRequests<T> {
  /** Sends the question (with its id) and resolves with the answer, or rejects after the deadline. */
  ask(send: (id: number) => void): Promise<T>;
  /** The primary's answer to question `id`. */
  settle(id: number, value: T): void;
  /** Questions still waiting. */
  pending(): number;
}

export function createPrimaryRequests<T>(opts: { readonly timeoutMs: number; readonly what: string }): PrimaryRequests<T> {
  const waiting = new Map<number, { resolve: (value: T) => void; timer: NodeJS.Timeout }>();
  let nextId = 0;
  return {
    ask(send) {
      const id = nextId++;
      const { promise, resolve, reject } = Promise.withResolvers<T>();
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new PrimaryTimeoutError(`the primary did not answer ${opts.what} within ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      timer.unref();
      waiting.set(id, { resolve, timer });
      send(id);
      return promise;
    },
    settle(id, value) {
      const entry = waiting.get(id);
      if (!entry) return;
      waiting.delete(id);
      clearTimeout(entry.timer);
      entry.resolve(value);
    },
    pending: () => waiting.size,
  };
}

// Status writes, a few at a time: thousands of objects needing status at once (a fresh leader, a
// new Gateway address) must not become thousands of requests in flight at the API server.
export const STATUS_WRITE_CONCURRENCY = 16;

/** Runs every task, at most `limit` at once; resolves when all have settled (tasks handle their errors). */
export async function allBounded(tasks: readonly (() => Promise<void>)[], limit = STATUS_WRITE_CONCURRENCY): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<void>;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}

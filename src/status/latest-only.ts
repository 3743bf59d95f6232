// Runs a job with the latest input only, one run at a time, without its caller waiting: a submit
// while a run is in flight replaces the pending input. The Gateway API status sync is such a job:
// thousands of writes after a build must not hold up the next routing build (and a route's
// convergence), and a newer report makes an older, unwritten one moot.
export interface LatestOnly<T> {
  submit(input: T): void;
  /** Resolves once no run is in flight or pending. */
  idle(): Promise<void>;
}

export function latestOnly<T>(job: (input: T) => Promise<void>, onError: (err: unknown) => void): LatestOnly<T> {
  let pending: { readonly input: T } | undefined;
  let running: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    while (pending !== undefined) {
      const { input } = pending;
      pending = undefined;
      try {
        await job(input);
      } catch (err: unknown) {
        onError(err);
      }
    }
    running = undefined;
  };
  return {
    submit(input) {
      pending = { input };
      running ??= drain();
    },
    async idle() {
      while (running !== undefined) await running;
    },
  };
}

// Clean-up steps run last-in first-out, once: at the end of a benchmark, on an error, or on
// SIGINT/SIGTERM (then the process exits 130). Every step's failure is reported, none stops the rest.
export class Cleanup {
  private readonly steps: { readonly what: string; readonly run: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;
  private readonly say: (line: string) => void;

  constructor(say: (line: string) => void) {
    this.say = say;
  }

  defer(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  run(): Promise<void> {
    this.running ??= this.drain();
    return this.running;
  }

  /** On SIGINT or SIGTERM: clean up, then exit 130. */
  onSignals(): void {
    const stop = (sig: string): void => {
      this.say(`${sig}: cleaning up`);
      void this.run().finally(() => process.exit(130));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }

  private async drain(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.run();
      } catch (err: unknown) {
        this.say(`clean-up "${step.what}" failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

// A command that exited non-zero, with what it printed (kubectl, helm): callers read stdout too,
// e.g. `kubectl auth can-i` answers "no" on stdout with exit code 1.
export interface CommandResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class CommandError extends Error {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;

  constructor(message: string, result: CommandResult) {
    super(message);
    this.exitCode = result.exitCode;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

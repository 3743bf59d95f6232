// One differential check: the same pieces through Bollard's HTTP/1 handling and through llhttp.
import { divergence } from './compare.ts';
import type { Outcome } from './outcome.ts';
import { runBollard } from './run-bollard.ts';
import { runLlhttp } from './run-llhttp.ts';

export interface Verdict {
  readonly bollard: Outcome;
  readonly llhttp: Outcome;
  /** Why they disagree in a way that is not allowed, or undefined. */
  readonly divergence: string | undefined;
}

export async function check(pieces: readonly Buffer[]): Promise<Verdict> {
  const bollard = await runBollard(pieces);
  const llhttp = await runLlhttp(pieces);
  return { bollard, llhttp, divergence: divergence(bollard, llhttp) };
}

/** A report line for a divergence: enough to turn it into a regression case. */
export const describeInput = (pieces: readonly Buffer[]): string => JSON.stringify(Buffer.concat(pieces).toString('latin1'));

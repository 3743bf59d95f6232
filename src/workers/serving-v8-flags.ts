// V8 flags for a process that serves traffic. A proxy allocates ~10 KiB per request, nearly all
// short-lived, so the young generation decides its GC cost. Left to itself V8 grows the young
// generation under load and shrinks it when idle; the first seconds of every burst after a quiet
// spell then fault fresh pages in, one by one. On the benchmark machine those faults took up to
// 13% of the proxy's CPU and made one round run 25% slower than the next. A fixed 16 MiB
// semi-space keeps the pages committed (~32 MiB of RSS) and caps it the same way the image
// always has (docs/operations.md, "Memory").
export const SERVING_V8_FLAGS: readonly string[] = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

const SEMI_SPACE = /^--(min|max)-semi-space-size(=|$)/;

/**
 * The node flags for a forked data-plane worker: the parent's own (loaders, inspector…) with the
 * serving flags in place of any young-generation size the parent was given.
 */
export function workerExecArgv(parent: readonly string[]): string[] {
  return [...parent.filter((flag) => !SEMI_SPACE.test(flag)), ...SERVING_V8_FLAGS];
}

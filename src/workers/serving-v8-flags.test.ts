import { describe, expect, it } from '@jest/globals';
import { SERVING_V8_FLAGS, workerExecArgv } from './serving-v8-flags.ts';

describe('workerExecArgv', () => {
  it('keeps the parent\'s other flags and adds the serving flags', () => {
    expect(workerExecArgv(['--inspect=0', '--disable-warning=ExperimentalWarning'])).toEqual(['--inspect=0', '--disable-warning=ExperimentalWarning', ...SERVING_V8_FLAGS]);
  });

  it('replaces a young-generation size the parent was started with', () => {
    const argv = workerExecArgv(['--max-semi-space-size=64', '--min-semi-space-size', '--cpu-prof']);
    expect(argv).toEqual(['--cpu-prof', ...SERVING_V8_FLAGS]);
  });

  it('fixes the young generation: equal minimum and maximum', () => {
    const size = (kind: string): string | undefined => SERVING_V8_FLAGS.find((f) => f.startsWith(`--${kind}-semi-space-size=`))?.split('=')[1];
    expect(size('min')).toBeDefined();
    expect(size('min')).toBe(size('max'));
  });
});

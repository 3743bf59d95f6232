// `make dev` is the README's first command: its script must bring up a control plane, the
// controller and the examples, and every printed curl line must answer as promised.
import { describe, expect, it } from '@jest/globals';
import { spawnManaged } from '../../harness/processes.ts';
import { REPO_ROOT } from '../../harness/repo.ts';

describe('make dev', () => {
  it('serves every example it prints', async () => {
    const proc = spawnManaged(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/dev.ts', '--check', '--id', `devtest-${process.pid}`], { cwd: REPO_ROOT });
    let out = '';
    proc.child.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c; });
    proc.child.stderr?.setEncoding('utf8').on('data', (c: string) => { out += c; });
    const result = await proc.exited;
    expect({ result, out }).toEqual({ result: 'exit code 0', out: expect.stringContaining('Try:') as unknown });
    expect(out.match(/^ {2}ok {3}/gm)).toHaveLength(5);
    expect(out).not.toContain('FAIL');
  }, 90_000);
});

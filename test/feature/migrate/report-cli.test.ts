// Runs the real `bollard migrate report` process on the fixture Ingresses.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { spawnManaged } from '../../harness/processes.ts';
import { REPO_ROOT } from '../../harness/repo.ts';

const FIXTURES = `${REPO_ROOT}/test/fixtures/migration`;
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => ['-f', `${FIXTURES}/${f}`]);

async function bollard(args: readonly string[]): Promise<{ how: string; stdout: string; stderr: string }> {
  const proc = spawnManaged(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/main.ts', ...args], { cwd: REPO_ROOT });
  let stdout = '';
  let stderr = '';
  proc.child.stdout?.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  proc.child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const how = await proc.exited;
  return { how, stdout, stderr };
}

describe('bollard migrate report', () => {
  it('prints each Ingress with its nginx annotations and a summary line', async () => {
    const { how, stdout, stderr } = await bollard(['migrate', 'report', ...files]);
    expect({ how, stderr }).toEqual({ how: 'exit code 0', stderr: '' });
    expect(stdout).toContain('Ingress default/external-auth\n');
    expect(stdout).toMatch(/ {2}never {4}nginx\.ingress\.kubernetes\.io\/auth-snippet \(never executed/);
    expect(stdout).toMatch(/ {2}unknown {2}nginx\.ingress\.kubernetes\.io\/rewrite-targt \(/);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('12 Ingresses, 39 nginx annotations: 32 honoured, 4 partly, 0 not yet, 2 never, 1 unknown');
  });

  it('prints JSON with --output json', async () => {
    const { how, stdout } = await bollard(['migrate', 'report', '--output', 'json', ...files]);
    expect(how).toBe('exit code 0');
    const report = JSON.parse(stdout) as { ingresses: unknown[]; summary: Record<string, number> };
    expect(report.ingresses).toHaveLength(12);
    expect(report.summary).toEqual({ honoured: 32, partly: 4, 'not yet': 0, never: 2, unknown: 1 });
  });

  it('exits 1 with a message for a missing file or no source at all', async () => {
    const missing = await bollard(['migrate', 'report', '-f', `${FIXTURES}/absent.yaml`]);
    expect(missing.how).toBe('exit code 1');
    expect(missing.stderr).toMatch(/^bollard: .*absent\.yaml: ENOENT/);
    const none = await bollard(['migrate', 'report']);
    expect(none.how).toBe('exit code 1');
    expect(none.stderr).toContain('give -f FILE or --kubeconfig');
  });
});

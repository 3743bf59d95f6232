// What the Dockerfile relies on, checked without a Docker engine: tsconfig.build.json emits a
// dist/ whose entry point runs (`node dist/main.js controller --help`), and the Dockerfile keeps
// its promises (pinned base, production-only runtime dependencies, numeric non-root user,
// the entry point the chart's args follow).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { SERVING_V8_FLAGS } from '../../../src/workers/serving-v8-flags.ts';
import { REPO_ROOT } from '../../../scripts/chart-helm.ts';

const run = promisify(execFile);
// Inside the repository, so the emitted modules resolve node_modules as dist/ would.
const outDir = `${REPO_ROOT}/.run/dist-check-${randomBytes(3).toString('hex')}`;

afterAll(async () => { await rm(outDir, { recursive: true, force: true }); });

describe('image build', () => {
  it('tsconfig.build.json emits a dist whose entry point runs', async () => {
    await run(process.execPath, [`${REPO_ROOT}/node_modules/tsc7/bin/tsc`, '-p', `${REPO_ROOT}/tsconfig.build.json`, '--outDir', outDir], { cwd: REPO_ROOT })
      .catch((err: unknown) => {
        // Type errors still emit; only a missing entry point below fails the spec.
        if (!(err instanceof Error && 'stdout' in err)) throw err;
      });
    const { stdout } = await run(process.execPath, [`${outDir}/main.js`, 'controller', '--help'], { cwd: REPO_ROOT });
    expect(stdout).toMatch(/^Usage: bollard controller \[flags\]/);
    expect(stdout).toMatch(/--drain-seconds/);
  }, 30_000);

  it('the Dockerfile pins Node 24 slim, installs production dependencies only at runtime, runs as 65532', async () => {
    const dockerfile = await readFile(`${REPO_ROOT}/Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=24\.\d+\.\d+$/m);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\$\{NODE_VERSION\}-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm install --no-save --ignore-scripts/m);
    expect(dockerfile).toMatch(/^RUN npm install --no-save --omit=dev --ignore-scripts/m);
    expect(dockerfile).toMatch(/^RUN node node_modules\/tsc7\/bin\/tsc -p tsconfig\.build\.json/m);
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
    // The image runs the controller with the same V8 flags the worker processes get.
    const entrypoint = ['node', ...SERVING_V8_FLAGS, 'dist/main.js', 'controller'].map((a) => `"${a}"`).join(', ');
    expect(dockerfile).toContain(`\nENTRYPOINT [${entrypoint}]\n`);
    for (const label of ['title', 'source', 'licenses', 'version', 'revision', 'created']) {
      expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
    }
    // The runtime stage copies dist and production node_modules, never the build's node_modules.
    expect(dockerfile).toMatch(/COPY --from=deps \/app\/node_modules \.\/node_modules/);
    expect(dockerfile).not.toMatch(/COPY --from=build \/src\/node_modules/);
  });
});

// Self time by function from V8 .cpuprofile files (node --cpu-prof), counting only the samples
// taken inside a time window (the measured wrk run). V8's profile clock and process.hrtime are both
// CLOCK_MONOTONIC, so the window is given in microseconds of process.hrtime.bigint() / 1000.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/harness/repo.ts';
import { round } from './stats.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  readonly name: string;
  readonly selfPct: number;
  readonly selfMs: number;
}

export interface ProfileSummary {
  readonly files: number;
  readonly windowMs: number;
  readonly sampledMs: number;
  /** Share of sampled time the process was not idle. */
  readonly busyPct: number;
  /** Functions by self time, as a share of busy (non-idle) time. */
  readonly topFunctions: readonly HotSpot[];
  /** Self time grouped by where the code lives (a src/ file, a package, a node: module, GC…). */
  readonly byArea: readonly HotSpot[];
}

function where(url: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(`${REPO_ROOT}/`)) return path.slice(REPO_ROOT.length + 1);
  return path;
}

function area(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const module = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (module !== undefined) return module;
  if (url.startsWith('node:')) return url;
  return where(url);
}

const label = (f: ProfileNode['callFrame']): string =>
  f.url === '' ? f.functionName : `${f.functionName === '' ? '(anonymous)' : f.functionName} ${where(f.url)}:${f.lineNumber + 1}`;

function addWindow(profile: CpuProfile, fromUs: number, toUs: number, byNode: (node: ProfileNode, us: number) => void): number {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  let t = profile.startTime;
  let sampled = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    const node = nodes.get(id);
    if (t < fromUs || t > toUs || node === undefined) return;
    sampled += delta;
    byNode(node, delta);
  });
  return sampled;
}

const ranked = (m: Map<string, number>, busyUs: number, top: number): HotSpot[] =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, us]) => ({ name, selfPct: round((100 * us) / Math.max(1, busyUs), 1), selfMs: round(us / 1000, 1) }));

export async function summarizeCpuProfiles(dir: string, fromUs: number, toUs: number, top = 20): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let sampledUs = 0;
  let idleUs = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    sampledUs += addWindow(profile, fromUs, toUs, (node, us) => {
      if (node.callFrame.functionName === '(idle)') { idleUs += us; return; }
      fns.set(label(node.callFrame), (fns.get(label(node.callFrame)) ?? 0) + us);
      areas.set(area(node.callFrame), (areas.get(area(node.callFrame)) ?? 0) + us);
    });
  }
  const busyUs = sampledUs - idleUs;
  return {
    files: files.length,
    windowMs: round((toUs - fromUs) / 1000, 1),
    sampledMs: round(sampledUs / 1000, 1),
    busyPct: round((100 * busyUs) / Math.max(1, sampledUs), 1),
    topFunctions: ranked(fns, busyUs, top),
    byArea: ranked(areas, busyUs, top),
  };
}

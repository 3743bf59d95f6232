// Self time by function from V8 .cpuprofile files (node --cpu-prof), counting only the samples
// taken inside a time window (the measured wrk run). V8's profile clock and process.hrtime are both
// CLOCK_MONOTONIC, so the window is given in microseconds of process.hrtime.bigint() / 1000.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/harness/repo.ts';
import { round } from './stats.ts';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
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
  /** Bollard's own functions (src/) by inclusive time: their self time plus everything they call. */
  readonly srcInclusive: readonly HotSpot[];
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

type Visit = (node: ProfileNode, us: number, ancestors: () => ProfileNode[]) => void;

function addWindow(profile: CpuProfile, fromUs: number, toUs: number, visit: Visit): number {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
  const ancestors = (id: number) => (): ProfileNode[] => {
    const chain: ProfileNode[] = [];
    for (let p = parents.get(id); p !== undefined; p = parents.get(p)) {
      const node = nodes.get(p);
      if (node) chain.push(node);
    }
    return chain;
  };
  let t = profile.startTime;
  let sampled = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    const node = nodes.get(id);
    if (t < fromUs || t > toUs || node === undefined) return;
    sampled += delta;
    visit(node, delta, ancestors(id));
  });
  return sampled;
}

const add = (m: Map<string, number>, key: string, us: number): void => { m.set(key, (m.get(key) ?? 0) + us); };

/** Adds `us` once to every src/ function on the stack (a recursive function counts once). */
function addInclusive(m: Map<string, number>, node: ProfileNode, us: number, ancestors: () => ProfileNode[]): void {
  const seen = new Set<string>();
  for (const n of [node, ...ancestors()]) {
    if (!where(n.callFrame.url).startsWith('src/')) continue;
    const key = label(n.callFrame);
    if (!seen.has(key)) { seen.add(key); add(m, key, us); }
  }
}

const ranked = (m: Map<string, number>, busyUs: number, top: number): HotSpot[] =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, us]) => ({ name, selfPct: round((100 * us) / Math.max(1, busyUs), 1), selfMs: round(us / 1000, 1) }));

export async function summarizeCpuProfiles(dir: string, fromUs: number, toUs: number, top = 20): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let sampledUs = 0;
  let idleUs = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    sampledUs += addWindow(profile, fromUs, toUs, (node, us, ancestors) => {
      if (node.callFrame.functionName === '(idle)') { idleUs += us; return; }
      add(fns, label(node.callFrame), us);
      add(areas, area(node.callFrame), us);
      addInclusive(inclusive, node, us, ancestors);
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
    srcInclusive: ranked(inclusive, busyUs, top),
  };
}

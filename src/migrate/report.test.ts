import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseIngressYaml } from './ingress-sources.ts';
import { renderJson, renderText, summaryLine } from './render.ts';
import { buildMigrationReport, type MigrationReport } from './report.ts';

const DIR = new URL('../../test/fixtures/migration/', import.meta.url);
const fixture = (name: string) => parseIngressYaml(readFileSync(new URL(name, DIR), 'utf8'), name);
const allFixtures = () => readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort().flatMap(fixture);

const statusOf = (report: MigrationReport, ingress: string, key: string) =>
  report.ingresses.find((i) => i.name === ingress)?.annotations.find((a) => a.key === key)?.status;

describe('migration report', () => {
  it('reads multi-document files and List kinds, skipping other kinds', () => {
    expect(fixture('rewrite.yaml').map((i) => i.name)).toEqual(['rewrite', 'approot']);
    expect(fixture('canary.yaml').map((i) => `${i.namespace}/${i.name}`)).toEqual(['echo/production', 'echo/canary']);
  });

  it('gives each nginx annotation its catalog status, ignoring annotations of other tools', () => {
    const report = buildMigrationReport(allFixtures());
    expect(statusOf(report, 'rewrite', 'rewrite-target')).toBe('honoured');
    expect(statusOf(report, 'approot', 'app-root')).toBe('partly');
    expect(statusOf(report, 'ingress-with-auth', 'auth-type')).toBe('honoured');
    expect(statusOf(report, 'external-auth', 'auth-snippet')).toBe('never');
    expect(statusOf(report, 'canary', 'canary-weight')).toBe('honoured');
    expect(statusOf(report, 'api', 'cors-allow-origin')).toBe('honoured');
    expect(statusOf(report, 'snippets', 'configuration-snippet')).toBe('partly');
    expect(statusOf(report, 'mirror', 'mirror-target')).toBe('honoured');
    expect(statusOf(report, 'nginxhello-ingress', 'upstream-hash-by-subset')).toBe('honoured');
    expect(statusOf(report, 'legacy-app', 'proxy-redirect-from')).toBe('honoured');
    expect(statusOf(report, 'traced', 'enable-opentelemetry')).toBe('honoured');
    expect(statusOf(report, 'traced', 'rewrite-targt')).toBe('unknown');
    expect(report.ingresses.find((i) => i.name === 'traced')?.annotations.map((a) => a.key)).toEqual(['enable-opentelemetry', 'rewrite-targt']);
  });

  it('counts every annotation once in the summary', () => {
    const report = buildMigrationReport(allFixtures());
    expect(report.counts).toEqual({ honoured: 32, partly: 4, 'not yet': 0, never: 2, unknown: 1 });
    expect(summaryLine(report)).toBe('12 Ingresses, 39 nginx annotations: 32 honoured, 4 partly, 0 not yet, 2 never, 1 unknown');
  });

  it('prints why an annotation is only partly honoured, and an Ingress without any', () => {
    const text = renderText(buildMigrationReport(allFixtures()));
    expect(text).toContain('Ingress echo/production\n  (no nginx annotations)');
    expect(text).toMatch(/ {2}partly {3}nginx\.ingress\.kubernetes\.io\/proxy-buffering \(accepted and checked; responses are always streamed/);
    expect(text).toContain('  honoured nginx.ingress.kubernetes.io/use-regex\n');
  });

  it('prints JSON with the verdicts and the counts', () => {
    const json = JSON.parse(renderJson(buildMigrationReport(fixture('unknown.yaml')))) as unknown;
    expect(json).toEqual({
      ingresses: [{
        namespace: 'web', name: 'traced', annotations: [
          expect.objectContaining({ key: 'enable-opentelemetry', status: 'honoured', value: 'true' }),
          expect.objectContaining({ key: 'rewrite-targt', status: 'unknown' }),
        ],
      }],
      summary: { honoured: 1, partly: 0, 'not yet': 0, never: 0, unknown: 1 },
    });
  });

  it('refuses YAML that does not parse, naming the file', () => {
    expect(() => parseIngressYaml('kind: Ingress\nmetadata: [\n', 'bad.yaml')).toThrow(/^bad\.yaml: /);
  });
});

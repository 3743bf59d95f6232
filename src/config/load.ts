// The only place that reads flags and the environment: flag > BOLLARD_* variable > default.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { controllerOptions } from './options.ts';
import { controllerConfigSchema, type ControllerConfig } from './schema.ts';

export class ConfigError extends Error {
  readonly code = 'ERR_BOLLARD_CONFIG';
}

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

const parseFlags = (argv: readonly string[]) => parseArgs({
  args: [...argv],
  options: Object.fromEntries(controllerOptions.map((o) => [o.flag, { type: 'string' as const }])),
  strict: true,
  allowPositionals: false,
});

export function loadControllerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ControllerConfig {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (err: unknown) {
    throw new ConfigError(`${err instanceof Error ? err.message : String(err)}\nSee bollard controller --help.`);
  }
  const raw: Record<string, string> = {};
  for (const o of controllerOptions) {
    const fromFlag = parsed.values[o.flag];
    raw[camel(o.flag)] = (typeof fromFlag === 'string' ? fromFlag : undefined) ?? env[o.env] ?? o.default ?? '';
  }
  if (raw.podName === '') raw.podName = env.POD_NAME ?? hostname();
  const result = controllerConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const spec = controllerOptions.find((o) => camel(o.flag) === key);
      const name = spec ? `--${spec.flag} (${spec.env})` : key;
      return `  ${name}: ${i.message} (got ${JSON.stringify(raw[key])})`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

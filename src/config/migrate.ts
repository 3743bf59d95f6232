// Flags of `bollard migrate report`: where the Ingresses come from and how the report is printed.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError } from './load.ts';

export const MIGRATE_USAGE = [
  'Usage: bollard migrate report [-f FILE]... [--kubeconfig PATH] [-n NAMESPACE] [--output text|json]',
  '',
  'Lists every nginx.ingress.kubernetes.io/* annotation of each Ingress as honoured, partly (with',
  'the difference), not yet, never or unknown, and a summary line of the counts.',
  '',
  '  -f, --filename FILE   YAML file of Ingresses (multi-document, List kinds); repeatable; - reads stdin',
  '  --kubeconfig PATH     read the Ingresses of that cluster instead (empty: the default kubeconfig)',
  '  -n, --namespace NS    only this namespace of the cluster (default: all)',
  '  -o, --output FORMAT   text (default) or json',
  '',
].join('\n');

const migrateSchema = z.object({
  files: z.array(z.string().min(1)),
  kubeconfig: z.string().optional(),
  namespace: z.string(),
  output: z.enum(['text', 'json']),
}).refine((c) => c.files.length > 0 || c.kubeconfig !== undefined, { message: 'give -f FILE or --kubeconfig' })
  .refine((c) => c.files.length === 0 || c.kubeconfig === undefined, { message: 'give -f FILE or --kubeconfig, not both' });

export type MigrateConfig = Readonly<z.infer<typeof migrateSchema>>;

export function loadMigrateConfig(argv: readonly string[]): MigrateConfig {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err: unknown) {
    throw new ConfigError(`${err instanceof Error ? err.message : String(err)}\n\n${MIGRATE_USAGE}`);
  }
  const result = migrateSchema.safeParse({
    files: values.filename ?? [],
    kubeconfig: values.kubeconfig,
    namespace: values.namespace ?? '',
    output: values.output ?? 'text',
  });
  if (!result.success) {
    throw new ConfigError(`${result.error.issues.map((i) => i.message).join('; ')}\n\n${MIGRATE_USAGE}`);
  }
  return Object.freeze(result.data);
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      filename: { type: 'string', short: 'f', multiple: true },
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      output: { type: 'string', short: 'o' },
    },
    strict: true,
    allowPositionals: false,
  });
}

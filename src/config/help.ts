import { controllerOptions } from './options.ts';

export function renderHelp(): string {
  const rows = controllerOptions.map((o) => {
    const def = o.default === undefined || o.default === '' ? '' : ` (default ${JSON.stringify(o.default)})`;
    return `  --${o.flag.padEnd(24)} ${o.help}${def}\n  ${''.padEnd(26)} env ${o.env}`;
  });
  return [
    'Usage: bollard controller [flags]',
    '       bollard migrate report [flags]   (see bollard migrate report --help)',
    '',
    'Runs the Bollard ingress controller: watches Ingresses, IngressClasses, Services,',
    'EndpointSlices and Secrets and serves HTTP(S) traffic for them.',
    '',
    'Flags (each also settable by its environment variable):',
    ...rows,
    '',
  ].join('\n');
}

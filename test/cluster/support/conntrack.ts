// Which Pod a client connection through a NodePort went to. kube-proxy DNATs each new connection to
// one endpoint and the kernel's connection tracking remembers the choice for the connection's
// life (and a while after it closes): the entry whose original direction is <our local port> →
// <node IP>:<node port> has the Pod's address as the reply direction's source. A sampler dumps the
// table every few hundred milliseconds while the load runs, and once more at the end, so even a
// connection that failed at once is found.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** local port → Pod IP, for the TCP connections to nodeIp:nodePort the table holds now. */
export async function podsByLocalPort(nodeIp: string, nodePort: number): Promise<Map<number, string>> {
  const { stdout } = await run('conntrack', ['-L', '-p', 'tcp', '--orig-dst', nodeIp, '--dport', String(nodePort)], { maxBuffer: 64 * 1024 * 1024 });
  const found = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    // tcp 6 117 ESTABLISHED src=A dst=N sport=P dport=NP src=POD dst=… sport=… dport=… [ASSURED] …
    const m = /\bsport=(\d+) dport=\d+ .*?\bsrc=([\d.]+) /.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) found.set(Number(m[1]), m[2]);
  }
  return found;
}

/** Samples the table while the load runs; `podOf(port)` answers from the latest sighting. */
export class ConntrackSampler {
  private readonly seen = new Map<number, string>();
  private readonly nodeIp: string;
  private readonly nodePort: number;
  private readonly timer: NodeJS.Timeout;
  private sampling: Promise<void> = Promise.resolve();

  constructor(nodeIp: string, nodePort: number, everyMs = 300) {
    this.nodeIp = nodeIp;
    this.nodePort = nodePort;
    this.timer = setInterval(() => { this.sample(); }, everyMs);
  }

  podOf(localPort: number): string | undefined {
    return this.seen.get(localPort);
  }

  /** Stops sampling after one last dump. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.sample();
    await this.sampling;
  }

  private sample(): void {
    // One dump at a time: a slow one is not overtaken by the next.
    this.sampling = this.sampling.then(async () => {
      const now = await podsByLocalPort(this.nodeIp, this.nodePort).catch(() => new Map<number, string>());
      for (const [port, pod] of now) this.seen.set(port, pod);
    });
  }
}

// Continuous, bounded load through the node: `clients` keep-alive HTTP/1.1 clients (node:http, one
// socket each, as a browser or a service mesh-less client would hold them), each looping GETs with
// a short pause. Every answer is counted; a failure is a connection error or a status outside 2xx
// (503 is counted apart, for the scenarios where it is the expected answer). Each connection is
// numbered and keeps its local port, so a failure can later be put on the Pod that connection went
// to (conntrack.ts).
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadOptions {
  /** e.g. http://10.244.0.1:30080/ — the node address and port the traffic enters by. */
  readonly url: string;
  readonly host: string;
  readonly clients: number;
  /** Pause of each client between requests: bounds the rate (default 5 ms). */
  readonly pauseMs?: number;
  /** A request without an answer by then fails (default 10 s). */
  readonly timeoutMs?: number;
}

export interface Connection {
  readonly id: number;
  readonly localPort: number;
  readonly openedAt: number;
}

export interface Outcome {
  readonly at: number;
  readonly connection: number | undefined;
  /** The status, or an error code (ECONNRESET, ECONNREFUSED, TIMEOUT, …). */
  readonly result: number | string;
}

export interface LoadReport {
  readonly requests: number;
  readonly ok: number;
  /** Every answer that was not 2xx, and every error, in time order. */
  readonly notOk: readonly Outcome[];
  readonly byBackend: ReadonlyMap<string, number>;
  readonly connections: readonly Connection[];
  readonly seconds: number;
}

export const isFailure = (o: Outcome): boolean => o.result !== 503;
export const failures = (r: LoadReport): readonly Outcome[] => r.notOk.filter(isFailure);

const errorCode = (err: unknown): string =>
  (err as { code?: unknown }).code !== undefined ? String((err as { code?: unknown }).code) : err instanceof Error ? err.message : String(err);

export class Load {
  private readonly opts: LoadOptions;
  private readonly started = performance.now();
  private readonly agents: Agent[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly connectionIds = new WeakMap<Socket, number>();
  private readonly connectionList: Connection[] = [];
  private readonly notOk: Outcome[] = [];
  private readonly byBackend = new Map<string, number>();
  private running = true;
  private requests = 0;
  private ok = 0;

  constructor(opts: LoadOptions) {
    this.opts = opts;
    for (let i = 0; i < opts.clients; i++) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 1000 });
      this.agents.push(agent);
      this.loops.push(this.loop(agent));
    }
  }

  /** Milliseconds since the load started: the clock of every Outcome. */
  now(): number {
    return performance.now() - this.started;
  }

  get counts(): { requests: number; ok: number; notOk: number } {
    return { requests: this.requests, ok: this.ok, notOk: this.notOk.length };
  }

  /** Resolves once `n` more requests have been answered with 2xx (the load is flowing). */
  async flowing(n = 50, timeoutMs = 15_000): Promise<void> {
    const target = this.ok + n;
    const deadline = Date.now() + timeoutMs;
    while (this.ok < target) {
      if (Date.now() > deadline) throw new Error(`load not flowing: ${this.ok}/${target} ok, last: ${JSON.stringify(this.notOk.at(-1))}`);
      await sleep(20);
    }
  }

  /** Resolves once `n` more requests have been answered, whatever the answer. */
  async answered(n: number, timeoutMs = 30_000): Promise<void> {
    const target = this.requests + n;
    const deadline = Date.now() + timeoutMs;
    while (this.requests < target) {
      if (Date.now() > deadline) throw new Error(`load stalled: ${this.requests}/${target} answered`);
      await sleep(20);
    }
  }

  async stop(): Promise<LoadReport> {
    this.running = false;
    await Promise.all(this.loops);
    for (const agent of this.agents) agent.destroy();
    return {
      requests: this.requests, ok: this.ok, notOk: [...this.notOk], byBackend: new Map(this.byBackend),
      connections: [...this.connectionList], seconds: this.now() / 1000,
    };
  }

  private async loop(agent: Agent): Promise<void> {
    const pause = this.opts.pauseMs ?? 5;
    while (this.running) {
      const outcome = await this.once(agent);
      this.requests++;
      if (typeof outcome.result === 'number' && outcome.result >= 200 && outcome.result < 300) this.ok++;
      else this.notOk.push(outcome);
      if (pause > 0) await sleep(pause);
    }
  }

  private connectionOf(socket: Socket): number | undefined {
    const known = this.connectionIds.get(socket);
    if (known !== undefined) return known;
    if (socket.localPort === undefined) return undefined;
    const id = this.connectionList.length;
    this.connectionList.push({ id, localPort: socket.localPort, openedAt: this.now() });
    this.connectionIds.set(socket, id);
    return id;
  }

  private once(agent: Agent): Promise<Outcome> {
    return new Promise((resolve) => {
      let connection: number | undefined;
      const done = (result: number | string): void => { resolve({ at: this.now(), connection, result }); };
      const req = request(this.opts.url, { agent, headers: { host: this.opts.host }, timeout: this.opts.timeoutMs ?? 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { body += chunk; });
        res.on('error', (err) => { done(errorCode(err)); });
        res.on('end', () => {
          this.countBackend(body);
          done(res.statusCode ?? 0);
        });
      });
      req.on('socket', (socket: Socket) => {
        // A reused socket is connected already; a new one gets its local port on connect.
        connection = this.connectionOf(socket);
        if (connection === undefined) socket.once('connect', () => { connection = this.connectionOf(socket); });
      });
      req.on('timeout', () => { req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })); });
      req.on('error', (err) => { done(errorCode(err)); });
      req.end();
    });
  }

  private countBackend(body: string): void {
    const match = /"backend":"([^"]*)"/.exec(body);
    if (match?.[1] !== undefined) this.byBackend.set(match[1], (this.byBackend.get(match[1]) ?? 0) + 1);
  }
}

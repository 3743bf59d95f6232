// Child process of bench/lib/tcp-drip.ts: connects to 127.0.0.1:<port>, sends the bytes read from
// stdin one byte per write (a macrotask apart, so each leaves as its own segment) or all in one
// write ('whole'), says so on stdout once the last byte is written, waits for the answer's first
// bytes, and exits.
import { connect } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';

async function main(): Promise<void> {
  const [port, mode] = process.argv.slice(2);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const socket = connect(Number(port), '127.0.0.1');
  socket.setNoDelay(true);
  const answered = new Promise<void>((resolve) => { socket.once('data', () => { resolve(); }); });
  await new Promise<void>((resolve) => { socket.once('connect', resolve); });
  if (mode === 'whole') {
    socket.write(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) {
      socket.write(bytes.subarray(i, i + 1));
      await nextTurn();
    }
  }
  process.stdout.write('sent\n');
  await answered;
  socket.destroy();
}

main().catch((err: unknown) => {
  process.stderr.write(`drip-client: ${String(err)}\n`);
  process.exitCode = 1;
});

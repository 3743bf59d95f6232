// A raw TCP client for the malformed-request cases: writes bytes exactly as given and returns
// everything the server answered before closing (or the first response line when asked).
import { connect } from 'node:net';

export function rawExchange(port: number, bytes: string, opts: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => { socket.destroy(); resolve(text); }, opts.timeoutMs ?? 5_000);
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => { text += c; });
    socket.on('error', (err) => { clearTimeout(timer); if (text === '') reject(err); else resolve(text); });
    socket.on('close', () => { clearTimeout(timer); resolve(text); });
    socket.write(bytes);
  });
}

export const statusLine = (response: string): string => response.split('\r\n')[0] ?? '';

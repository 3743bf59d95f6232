import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { teeBody } from './body-tee.ts';

describe('teeBody', () => {
  it('gives each copy the whole body, read at the upstream\'s pace', async () => {
    const source = new PassThrough();
    const tee = teeBody(source, 2, 1024);
    source.end('hello');
    expect(await Promise.all([text(tee.primary), ...tee.copies.map((c) => text(c))])).toEqual(['hello', 'hello', 'hello']);
  });

  it('gives up a copy that falls more than the bound behind, and the upstream still reads it all', async () => {
    const source = new PassThrough();
    const tee = teeBody(source, 1, 10);
    const copy = tee.copies[0];
    const reading = text(tee.primary);
    source.write('123456');
    source.end('7890ab');
    expect(await reading).toBe('1234567890ab');
    expect([copy?.dropped, copy?.destroyed]).toEqual([true, true]);
  });

  it('gives up copies when the upstream\'s exchange ends before the body did', () => {
    const source = new PassThrough();
    const tee = teeBody(source, 1, 1024);
    source.write('part');
    tee.stop();
    expect(tee.copies[0]?.dropped).toBe(true);
  });

  it('gives up copies when the client\'s body fails', async () => {
    const source = new PassThrough();
    const tee = teeBody(source, 1, 1024);
    const failed = new Promise((resolve) => tee.primary.on('error', resolve));
    const closed = new Promise((resolve) => tee.primary.on('close', resolve));
    source.destroy(new Error('client went away'));
    expect(await failed).toMatchObject({ message: 'client went away' });
    await closed;
    expect(tee.copies[0]?.dropped).toBe(true);
  });
});

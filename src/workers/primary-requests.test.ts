import { describe, expect, it } from '@jest/globals';
import { createPrimaryRequests, PrimaryTimeoutError } from './primary-requests.ts';

describe('createPrimaryRequests', () => {
  it('rejects with a timeout error when the primary never answers, and forgets the question', async () => {
    const requests = createPrimaryRequests<string | undefined>({ timeoutMs: 20, what: 'the HTTP-01 challenge' });
    const sent: number[] = [];
    const answer = requests.ask((id) => { sent.push(id); });
    expect(sent).toEqual([0]);
    await expect(answer).rejects.toThrow(PrimaryTimeoutError);
    await expect(answer).rejects.toMatchObject({ code: 'PRIMARY_TIMEOUT', message: 'the primary did not answer the HTTP-01 challenge within 20 ms' });
    expect(requests.pending()).toBe(0);
    requests.settle(0, 'late');
  });

  it('resolves with the answer given in time, each question by its id', async () => {
    const requests = createPrimaryRequests<string | undefined>({ timeoutMs: 60_000, what: 'x' });
    const first = requests.ask(() => undefined);
    const second = requests.ask(() => undefined);
    requests.settle(1, 'two');
    requests.settle(0, undefined);
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, 'two']);
    expect(requests.pending()).toBe(0);
  });
});

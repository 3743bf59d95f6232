// The relay's abort: a client response that closes because the upstream's answer is complete (its
// end closes it synchronously) aborts nothing and makes no Error; a client gone mid-answer aborts
// the upstream exchange with the reason, made then.
import { describe, expect, it } from '@jest/globals';
import type { Dispatcher } from 'undici';
import type { ClientResponse } from './client-response.ts';
import { RelayHandler } from './relay-handler.ts';

/** A client response that, like ours, closes synchronously when ended. */
function fakeResponse(onClose: () => void): ClientResponse {
  return {
    headersSent: false, destroyed: false, writableFinished: false, statusCode: 200,
    writeHead: () => undefined, write: () => true, end: () => { onClose(); }, addTrailers: () => undefined,
    destroy: () => undefined, once: () => undefined, on: () => undefined,
  };
}

function fakeController(aborted: Error[]): Dispatcher.DispatchController {
  return { abort: (reason: Error) => { aborted.push(reason); }, pause: () => undefined, resume: () => undefined } as unknown as Dispatcher.DispatchController;
}

describe('RelayHandler.abort', () => {
  it('makes no Error and aborts nothing when the response closes because the answer ended', () => {
    let made = 0;
    const aborted: Error[] = [];
    // The response's close calls back into the handler, as forward.ts wires it.
    const res = fakeResponse(() => { handler.abort(() => { made += 1; return new Error('client gone'); }); });
    const handler: RelayHandler = new RelayHandler(res, (h) => h, () => undefined);
    const controller = fakeController(aborted);
    handler.onRequestStart(controller);
    handler.onResponseStart(controller, 200, {});
    handler.onResponseEnd(controller, {});
    expect({ made, aborted: aborted.length }).toEqual({ made: 0, aborted: 0 });
  });

  it('aborts the upstream exchange with the reason when the client goes mid-answer', () => {
    const aborted: Error[] = [];
    const handler = new RelayHandler(fakeResponse(() => undefined), (h) => h, () => undefined);
    const controller = fakeController(aborted);
    handler.onRequestStart(controller);
    handler.onResponseStart(controller, 200, {});
    handler.abort(() => new Error('client gone'));
    expect(aborted.map((e) => e.message)).toEqual(['client gone']);
  });
});

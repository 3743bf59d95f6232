import { describe, expect, it } from '@jest/globals';
import { compressionOf } from '../wiring/dataplane-config.ts';
import { loadControllerConfig } from './load.ts';

describe('--use-gzip, --enable-brotli', () => {
  it('are off by default', () => {
    expect(compressionOf(loadControllerConfig([], {}))).toEqual({});
  });

  it('take ingress-nginx\'s defaults, text/plain and application/json among the types', () => {
    const { compression } = compressionOf(loadControllerConfig(['--use-gzip=true', '--enable-brotli=true'], {}));
    expect(compression?.gzip).toMatchObject({ level: 1, minLength: 256 });
    expect(compression?.brotli).toMatchObject({ level: 4, minLength: 20 });
    expect([...(compression?.gzip?.types ?? [])]).toEqual(expect.arrayContaining(['text/plain', 'application/json', 'image/svg+xml']));
  });

  it('read a type list separated by spaces or commas, in any case', () => {
    const { compression } = compressionOf(loadControllerConfig(['--use-gzip=true', '--gzip-types', 'Text/CSV, application/wasm  text/plain'], {}));
    expect([...(compression?.gzip?.types ?? [])]).toEqual(['text/csv', 'application/wasm', 'text/plain']);
    expect(compression?.brotli).toBeUndefined();
  });

  it.each([['--gzip-level', '0'], ['--brotli-level', '12'], ['--gzip-types', 'text']])('refuses %s %j at start', (flag, value) => {
    expect(() => loadControllerConfig([flag, value], {})).toThrow(flag);
  });
});

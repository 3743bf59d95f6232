import { describe, expect, it } from '@jest/globals';
import {
  parseBackendProtocol, parseBoolean, parseIdleTimeoutSeconds, parseLoadBalancing, parseSize, parseTimeoutSeconds, protocolForAppProtocol,
} from './option-values.ts';

const value = <T>(parsed: { value: T } | undefined): T | 'invalid' => (parsed === undefined ? 'invalid' : parsed.value);

describe('route option values', () => {
  it.each([
    ['true', true], ['false', false], ['True', 'invalid'], ['1', 'invalid'], ['', 'invalid'],
  ])('ssl-redirect %j → %j', (written, expected) => {
    expect(value(parseBoolean(written))).toBe(expected);
  });

  it.each([
    ['round-robin', 'round-robin'], ['least-request', 'least-request'], ['ewma', 'ewma'], ['EWMA', 'invalid'], ['random', 'invalid'],
  ])('load-balance %j → %j', (written, expected) => {
    expect(value(parseLoadBalancing(written))).toBe(expected);
  });

  it.each([
    ['http', 'HTTP'], ['HTTPS', 'HTTPS'], ['h2c', 'H2C'], ['Grpc', 'GRPC'], ['grpcs', 'GRPCS'], ['HTTP2', 'invalid'], ['', 'invalid'],
  ])('backend-protocol %j → %j', (written, expected) => {
    expect(value(parseBackendProtocol(written))).toBe(expected);
  });

  it.each([
    ['1', 1000], ['60', 60_000], ['0060', 60_000], ['3600', 3_600_000], ['0', 'invalid'], ['3601', 'invalid'],
    ['30s', 'invalid'], ['1.5', 'invalid'], ['-5', 'invalid'], [' 5', 'invalid'], ['', 'invalid'],
  ])('proxy-read-timeout %j → %j ms', (written, expected) => {
    expect(value(parseTimeoutSeconds(written))).toBe(expected);
  });

  it.each([
    ['1', 1_000], ['3600', 3_600_000], ['86400', 86_400_000], ['0', 'invalid'], ['86401', 'invalid'], ['10m', 'invalid'], ['1.5', 'invalid'], ['', 'invalid'],
  ])('tunnel-idle-timeout %j → %j', (written, expected) => {
    expect(value(parseIdleTimeoutSeconds(written))).toBe(expected);
  });

  it.each([
    ['0', undefined], ['0m', undefined], ['512', 512], ['64k', 65_536], ['64K', 65_536], ['8m', 8_388_608], ['1G', 1_073_741_824],
    ['10mb', 'invalid'], ['1.5m', 'invalid'], ['-1', 'invalid'], ['k', 'invalid'], ['', 'invalid'], ['9999999999999999g', 'invalid'],
  ])('proxy-body-size %j → %j bytes', (written, expected) => {
    expect(value(parseSize(written))).toBe(expected);
  });

  it.each([
    [undefined, 'HTTP'], ['kubernetes.io/h2c', 'H2C'], ['kubernetes.io/ws', 'HTTP'], ['kubernetes.io/wss', 'HTTPS'], ['http', 'HTTP'],
    ['HTTPS', 'HTTPS'], ['grpc', 'GRPC'], ['grpcs', 'GRPCS'], ['http2', 'HTTP'], ['example.com/custom', 'HTTP'],
  ])('appProtocol %j → %j', (appProtocol, expected) => {
    expect(protocolForAppProtocol(appProtocol)).toBe(expected);
  });
});

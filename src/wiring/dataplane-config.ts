// Maps the validated controller configuration onto the data plane's and the builder's settings.
import { readFile } from 'node:fs/promises';
import type { ControllerConfig } from '../config/schema.ts';
import type { DataPlaneConfig } from '../dataplane/data-plane.ts';
import type { CompressionCodec, CompressionSettings } from '../dataplane/compression/choose.ts';
import { generateSelfSigned } from '../dataplane/tls/default-certificate.ts';
import type { BuildOptions } from '../routing/types.ts';
import { buildGlobalAuth } from '../routing/nginx/global-auth.ts';

export async function dataPlaneConfig(config: ControllerConfig): Promise<DataPlaneConfig> {
  const pair = config.defaultTlsCertFile === ''
    ? await generateSelfSigned('bollard-default.invalid')
    : { certPem: await readFile(config.defaultTlsCertFile, 'utf8'), keyPem: await readFile(config.defaultTlsKeyFile, 'utf8') };
  return {
    bindAddress: config.bindAddress,
    // A wildcard bind already accepts on every local address.
    extraAddresses: config.bindAddress === '0.0.0.0' || config.bindAddress === '::' ? [] : config.gatewayAddresses.filter((a) => a !== config.bindAddress),
    httpPort: config.httpPort,
    httpsPort: config.httpsPort,
    httpsRedirectPort: config.httpsRedirectPort,
    httpPublicPort: config.httpPublicPort,
    accessLog: config.accessLog,
    h2c: config.h2c,
    proxyProtocol: config.proxyProtocol,
    proxyProtocolTrustedCidrs: config.proxyProtocolTrustedCidrs,
    limits: {
      maxHeaderBytes: config.maxHeaderBytes,
      headersTimeoutMs: config.clientHeaderTimeoutSeconds * 1000,
      requestTimeoutMs: config.clientRequestTimeoutSeconds * 1000,
      keepAliveTimeoutMs: config.keepaliveTimeoutSeconds * 1000,
      h2MaxConcurrentStreams: config.h2MaxConcurrentStreams,
      dropUnderscoreFields: !config.enableUnderscoresInHeaders,
    },
    options: {
      trustedProxies: config.trustedProxies,
      via: config.via,
      connectTimeoutMs: config.upstreamConnectTimeoutMs,
      retries: config.upstreamRetries,
      ejectAfterFailures: config.ejectAfterFailures,
      ejectMs: config.ejectSeconds * 1000,
      limitRejectionStatus: config.limitRejectionStatus,
      globalRateLimitStatus: config.globalRateLimitStatus,
      globalRateLimitSyncMs: config.globalRateLimitSyncMs,
      ...compressionOf(config),
    },
    tls: {
      defaultCertPem: pair.certPem,
      defaultKeyPem: pair.keyPem,
      minVersion: config.tlsMinVersion,
      ciphers: config.tlsCiphers === '' ? undefined : config.tlsCiphers,
      sniStrict: config.sniStrict,
      sslPassthrough: config.enableSslPassthrough,
    },
    ...tracingOf(config),
  };
}

/** --use-gzip, --enable-brotli and their settings. */
export function compressionOf(config: ControllerConfig): { compression?: CompressionSettings } {
  const codec = (level: number, minLength: number, types: readonly string[]): CompressionCodec => ({ level, minLength, types: new Set(types) });
  const compression: CompressionSettings = {
    ...(config.useGzip ? { gzip: codec(config.gzipLevel, config.gzipMinLength, config.gzipTypes) } : {}),
    ...(config.enableBrotli ? { brotli: codec(config.brotliLevel, config.brotliMinLength, config.brotliTypes) } : {}),
  };
  return config.useGzip || config.enableBrotli ? { compression } : {};
}

/** --otel-*: tracing only with a collector to export to. */
function tracingOf(config: ControllerConfig): Pick<DataPlaneConfig, 'tracing'> {
  if (config.otelEndpoint === '') return {};
  return {
    tracing: {
      endpoint: config.otelEndpoint, serviceName: config.otelServiceName, serviceInstanceId: config.podName,
      enabled: config.otelEnabled, trustIncomingSpan: config.otelTrustIncomingSpan,
      ratio: config.otelSamplerRatio, parentBased: config.otelSamplerParentBased,
      maxQueueSize: config.otelMaxQueueSize, maxBatchSize: config.otelMaxExportBatchSize,
      scheduleDelayMs: config.otelScheduleDelayMs, exportTimeoutMs: config.otelExportTimeoutMs,
    },
  };
}

export function buildOptions(config: ControllerConfig): BuildOptions {
  return {
    controllerName: config.controllerName,
    gatewayControllerName: config.gatewayControllerName,
    gatewayAddresses: config.gatewayAddresses,
    reservedPorts: [config.httpPort, config.httpsPort, config.adminPort],
    sslPassthrough: config.enableSslPassthrough,
    acme: config.acmeEnabled,
    ...globalAuthOf(config),
    defaults: {
      sslRedirect: config.sslRedirect,
      forceSslRedirect: config.forceSslRedirect,
      loadBalancing: config.loadBalance,
      readTimeoutMs: config.proxyReadTimeoutSeconds * 1000,
      maxBodyBytes: config.proxyBodySize,
      tunnelIdleTimeoutMs: config.tunnelIdleTimeoutSeconds * 1000,
      hsts: hstsOf(config),
    },
  };
}

/** --hsts*: the Strict-Transport-Security value, as ingress-nginx writes it; false when off. */
export function hstsOf(config: Pick<ControllerConfig, 'hsts' | 'hstsMaxAgeSeconds' | 'hstsIncludeSubdomains' | 'hstsPreload'>): string | false {
  if (!config.hsts) return false;
  return `max-age=${String(config.hstsMaxAgeSeconds)}${config.hstsIncludeSubdomains ? '; includeSubDomains' : ''}${config.hstsPreload ? '; preload' : ''}`;
}

/** --global-auth-*: the ForwardAuth every Ingress route runs (routing/nginx/global-auth.ts). */
function globalAuthOf(config: ControllerConfig): Pick<BuildOptions, 'globalAuth'> {
  const globalAuth = buildGlobalAuth({
    url: config.globalAuthUrl, method: config.globalAuthMethod, signin: config.globalAuthSignin, responseHeaders: config.globalAuthResponseHeaders,
    requestRedirect: config.globalAuthRequestRedirect, alwaysSetCookie: config.globalAuthAlwaysSetCookie, cacheKey: config.globalAuthCacheKey,
    cacheDuration: config.globalAuthCacheDuration,
  });
  return globalAuth === undefined ? {} : { globalAuth };
}

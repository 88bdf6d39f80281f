import {
  createServer as createHttpServer,
  type RequestListener,
  type Server,
  type ServerOptions,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { Logger } from '../log/logger.js';
import type { SecretResolver } from '../secrets/types.js';

/** `server.tls` / `controlPlane.tls`: PEM material as secret references. */
export interface TlsConfig {
  cert: string;
  key: string;
  /** Clients of the admin API must present a certificate this CA signed (mutual TLS). */
  clientCa?: string | undefined;
}

/** The resolved material, following reloads of the references behind it. */
export interface TlsSource {
  /** Options for a new secure context, from the current values. */
  context(): SecureContextOptions;
  /** True when client certificates are requested (a `clientCa` is set). */
  readonly isMutual: boolean;
  readonly refs: ReadonlySet<string>;
}

/** Resolves the references once (start fails on a missing one); values follow reloads. */
export async function resolveTls(
  config: TlsConfig,
  secrets: Pick<SecretResolver, 'handle'>,
  component: string,
): Promise<TlsSource> {
  const cert = await secrets.handle(config.cert, { component });
  const key = await secrets.handle(config.key, { component });
  const ca =
    config.clientCa === undefined
      ? undefined
      : await secrets.handle(config.clientCa, { component });
  return {
    context() {
      const options: SecureContextOptions = {
        cert: cert.current().reveal(),
        key: key.current().reveal(),
        minVersion: 'TLSv1.2',
      };
      if (ca !== undefined) options.ca = ca.current().reveal();
      return options;
    },
    isMutual: ca !== undefined,
    refs: new Set([
      config.cert,
      config.key,
      ...(config.clientCa === undefined ? [] : [config.clientCa]),
    ]),
  };
}

/**
 * An HTTP server, or an HTTPS one when TLS is configured. Both serve the same handler, so the
 * data and control planes do not know which they run on. With a client CA, certificates are
 * requested but not required at the handshake: health probes connect without one, and the
 * routes that need one check `hasClientCertificate`.
 */
export function createPlaneServer(
  tls: TlsSource | undefined,
  options: ServerOptions,
  handler: RequestListener,
): Server {
  if (tls === undefined) return createHttpServer(options, handler);
  return createHttpsServer(
    {
      ...options,
      ...tls.context(),
      requestCert: tls.isMutual,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    },
    handler,
  );
}

/**
 * True when the request came over TLS with a client certificate the configured CA signed.
 * `authorized` alone is not enough: Node reports a TLS 1.3 session resumed without any
 * certificate as authorized, so a client that first connected anonymously (to /healthz) could
 * resume that session and pass. A certificate must be present too.
 */
export function hasClientCertificate(req: IncomingMessage): boolean {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || socket.getPeerCertificate === undefined) return false;
  return socket.getPeerCertificate().raw !== undefined;
}

/**
 * Swaps the certificate (and client CA) when a reference behind it changes (SIGHUP,
 * `POST /admin/secrets/reload`, a TTL refresh): new connections get the new one, open ones keep
 * theirs. A value that does not parse keeps the old context and is logged. Returns an
 * unsubscribe.
 */
export function reloadTlsOnChange(
  server: Server,
  tls: TlsSource,
  secrets: Pick<SecretResolver, 'onChange'>,
  log: Logger,
  plane: string,
): () => void {
  return secrets.onChange((ref) => {
    if (!tls.refs.has(ref)) return;
    try {
      (server as HttpsServer).setSecureContext(tls.context());
      log.info({ event: 'tls_reloaded', plane });
    } catch (err) {
      log.error({ event: 'tls_reload_failed', plane, err });
    }
  });
}

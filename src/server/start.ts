import { WardenError } from '../core/index.js';
import type { Store } from '../store/index.js';
import { buildServer, type ServerOptions } from './app.js';

export interface RunningServer {
  /** The base URL clients use, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

/** Builds the API on a migrated store and listens; a port in use is WARDEN_ERR_SERVER_LISTEN. */
export async function startServer(
  options: ServerOptions & { store: Store; host: string; port: number },
): Promise<RunningServer> {
  const app = await buildServer(options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    const code = (error as { code?: string }).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the port is in use'
        : code === 'EACCES'
          ? 'it is not allowed'
          : (error as Error).message;
    throw new WardenError(
      'WARDEN_ERR_SERVER_LISTEN',
      `cannot listen on ${options.host}:${options.port}: ${why}; pass another --port (or stop what holds it)`,
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= (async () => {
        await app.close();
        await options.store.close();
      })();
      return closing;
    },
  };
}

import { createServer, type Server } from 'node:net';

/** Listens on a port the system picks on 127.0.0.1. */
function listening(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const portOf = (server: Server) => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
};

/**
 * `n` distinct TCP ports on 127.0.0.1 that nothing listens on right now. Child processes need
 * their port before they start (they do not report it back), so each port is taken, read and
 * released; the short gap before the child binds it is acceptable on a test machine. All are held
 * until all are read, or the system could hand the same port out twice.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => listening()));
  const ports = servers.map(portOf);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  if (ports.some((p) => p === 0)) throw new Error('no port assigned');
  return ports;
}

/** One such port (see freePorts). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

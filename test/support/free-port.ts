import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now. Child processes need their port
 * before they start (they do not report it back), so the port is taken, read and released; the
 * short gap before the child binds it is acceptable on a test machine.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

import net from 'net';

/**
 * A loopback port free right now, for programs that must be told their port up front
 * (node_exporter, Prometheus) or for restarting a service on the port a client already knows.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

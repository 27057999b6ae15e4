// A TCP proxy on 127.0.0.1 in front of a node, whose connections a test cuts as a network fails:
// a browser sees its stream end without a word, and reconnects (to the proxy, then the node).
import net from 'node:net';

/** Proxies a free loopback port to 127.0.0.1:`port`; `url` is the proxy's, `cut()` drops every connection. */
export async function cuttableProxy(port) {
  const sockets = new Set();
  const track = (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      track(from);
      from.pipe(to);
      // One side gone (cut, refused, reset): the other goes too, as a broken link would.
      from.once('error', () => to.destroy());
      from.once('close', () => to.destroy());
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const cut = () => sockets.forEach((socket) => socket.destroy());
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut,
    close: () => new Promise((resolve) => {
      cut();
      server.close(resolve);
    }),
  };
}

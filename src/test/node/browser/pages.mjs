// Serves the example pages (examples/browser) and the npm client files they load
// (node_modules/…, from src/test/node/node_modules) on 127.0.0.1, as a site does: syncbus serves
// no pages, so a page always comes from an origin of its own. Two servers on two ports are two
// origins: one listed in the node's http.cors.allowedOrigins, one not.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const PAGES = new URL('../../../../examples/browser/', import.meta.url);
const NODE_MODULES = new URL('../node_modules/', import.meta.url);
/** The client files a page may load, as the pages name them. */
const CLIENT_FILES = new Set([
  'sockjs-client/dist/sockjs.min.js',
  '@vertx/eventbus-bridge-client.js/vertx-eventbus.js',
  'vertx3-eventbus-client/vertx-eventbus.js',
]);
const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8' };

/** The file that `path` names, or null: a page of examples/browser or one of CLIENT_FILES. */
function fileOf(path) {
  if (path.startsWith('/node_modules/')) {
    const name = path.slice('/node_modules/'.length);
    return CLIENT_FILES.has(name) ? new URL(name, NODE_MODULES) : null;
  }
  return /^\/[\w-]+\.(html|js)$/.test(path) ? new URL(path.slice(1), PAGES) : null;
}

/** Serves the pages on 127.0.0.1:`port` (0: any free port); `origin` is the pages' origin. */
export async function servePages(port) {
  const server = createServer(async (request, response) => {
    const file = fileOf(new URL(request.url, 'http://pages').pathname);
    try {
      if (request.method !== 'GET' || file === null) {
        throw Object.assign(new Error('not a page'), { code: 'ENOENT' });
      }
      const body = await readFile(fileURLToPath(file));
      response.writeHead(200, { 'Content-Type': TYPES[file.pathname.split('.').pop()], 'Cache-Control': 'no-store' });
      response.end(body);
    } catch (error) {
      response.writeHead(error.code === 'ENOENT' ? 404 : 500, { 'Content-Type': 'text/plain' });
      response.end(`${request.url}: ${error.message}`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `vite build` puts the agent app (web/dist), next to the server's sources. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/**
 * Serves the agent app at `/`: hashed assets for a year, and index.html for every other path that is not the
 * API, so /tickets/1042 opened in a new tab reaches the app's router. Unbuilt, `/` says how to build it.
 */
export async function installWebApp(app: FastifyInstance, dist = WEB_DIST): Promise<void> {
  const index = path.join(dist, 'index.html');
  if (!fs.existsSync(index)) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html')
        .send('<!doctype html><meta charset="utf-8"><title>Lifeline</title><h1>Lifeline</h1><p>The API is running (<a href="/api/docs">/api/docs</a>). The agent app is not built: run <code>npm run build:web</code>.</p>'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    index: false,
    setHeaders: (res, file) => {
      res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const html = fs.readFileSync(index);
  const sendIndex = (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(html);
  app.get('/', { schema: { hide: true } }, sendIndex);
  // Client-side routes. API paths never fall back (an unknown API route stays a 404 problem), nor do assets: a
  // tab still running an old build must not get HTML for the script it asks for.
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    if (/^\/(api|assets)(\/|$)/.test(req.url)) return reply.callNotFound();
    return sendIndex(req, reply);
  });
}

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The app's Content-Security-Policy: only its own files run (no inline script, no eval), talks only to its own
 * origin, is never framed. Mantine writes <style> tags at run time, so styles need 'unsafe-inline'.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // https: for one thing: a remote image in a customer's mail, which the sanitiser holds back (data-remote-src)
  // until an agent clicks "Show remote images" (docs/security.md, "Content from customers").
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** API answers (JSON, raw mail) are never a page: opened directly they may load and run nothing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Security headers on every answer, errors included: the policy (a route that sets its own, like attachments'
 * sandbox, keeps it), nosniff, no framing, no full URLs in Referer to other sites, and HSTS when served over https.
 * The API docs page (Swagger UI: script files, inline styles) gets the app's policy.
 */
export function installSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const set = (name: string, value: string) => {
      if (!reply.hasHeader(name)) reply.header(name, value);
    };
    const api = req.url.startsWith('/api/') && !req.url.startsWith('/api/docs');
    set('content-security-policy', api ? API_CSP : APP_CSP);
    set('x-content-type-options', 'nosniff');
    set('x-frame-options', 'DENY');
    set('referrer-policy', 'strict-origin-when-cross-origin');
    if (options.https) set('strict-transport-security', 'max-age=31536000');
    return payload;
  });
}

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
    // A source map left from a development build is never published.
    allowedPath: (pathName) => !pathName.endsWith('.map'),
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

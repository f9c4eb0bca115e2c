import fs from 'node:fs';
import path from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { openApiToTypeScript } from './api-types.js';

export const API_TYPES_FILE = path.resolve(import.meta.dirname, '../../web/src/api/schema.gen.ts');

/** The OpenAPI document of the app as built, on a throwaway in-memory database. */
export async function currentApiTypes(): Promise<string> {
  const database = await openDatabase({ memory: true });
  await database.migrate();
  const { app } = await buildApp(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(import.meta.dirname, '../../data/.api-types') }), database, { logger: false });
  await app.ready();
  const doc = app.swagger() as OpenAPIV3.Document;
  await app.close();
  await database.close();
  return openApiToTypeScript(doc);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  fs.mkdirSync(path.dirname(API_TYPES_FILE), { recursive: true });
  fs.writeFileSync(API_TYPES_FILE, await currentApiTypes());
  console.log(`wrote ${path.relative(process.cwd(), API_TYPES_FILE)}`);
}

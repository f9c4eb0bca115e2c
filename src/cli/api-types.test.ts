import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { openApiToTypeScript } from './api-types.js';
import { API_TYPES_FILE, currentApiTypes } from './generate-api-types.js';

describe("the web app's API types", () => {
  test('are generated from the current OpenAPI document (run `npm run build:api-types` after changing an API schema)', async () => {
    const committed = fs.readFileSync(API_TYPES_FILE, 'utf8');
    assert.ok(committed === (await currentApiTypes()), 'web/src/api/schema.gen.ts is stale: run npm run build:api-types');
  });

  test('the converter keeps required, optional, nullable, enums, records and refs apart', () => {
    const ts = openApiToTypeScript({
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      components: { schemas: { Node: { anyOf: [{ type: 'object', properties: { all: { type: 'array', items: { $ref: '#/components/schemas/Node' } } }, required: ['all'] }, { type: 'string' }] } } },
      paths: {
        '/x/{id}': {
          post: {
            parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }, { in: 'query', name: 'limit', schema: { type: 'integer' } }],
            requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { a: { type: 'string', default: 'x' }, b: { type: 'string', nullable: true } }, required: ['a', 'b'] } } } },
            responses: { '201': { description: '', content: { 'application/json': { schema: { type: 'object', properties: { kind: { type: 'string', enum: ['p', 'q'] }, meta: { type: 'object', additionalProperties: {} }, n: { $ref: '#/components/schemas/Node' } }, required: ['kind', 'meta', 'n'] } } } } },
          },
        },
      },
    });
    assert.match(ts, /export type Node = \{ all: Node\[\] \} \| string;/);
    assert.match(ts, /path: \{ id: string \}; query: \{ limit\?: number \}/);
    assert.match(ts, /body: \{ a\?: string; b: string \| null \}/, 'a field with a default is optional to send');
    assert.match(ts, /response: \{ kind: "p" \| "q"; meta: \{ \[key: string\]: unknown \}; n: Node \}/);
  });
});

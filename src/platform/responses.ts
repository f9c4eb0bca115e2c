import type { FastifyInstance } from 'fastify';
import { type ZodType, z } from 'zod';

/**
 * Response schemas document the API and type the web app's client; they are not enforced on the hot path
 * (a zod parse of every ticket list would cost more than the query). With `validate` on — the test suite turns
 * it on — every response with a declared schema is checked as JSON, so a schema that drifts from what a route
 * really sends fails a test instead of lying in the OpenAPI document.
 */
export function installResponseSerializer(app: FastifyInstance, validate: boolean): void {
  app.setSerializerCompiler(({ schema, url, method }) => (data) => {
    const json = JSON.stringify(data);
    if (validate && isZod(schema)) {
      const result = schema.safeParse(JSON.parse(json));
      if (!result.success) {
        const where = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        throw new Error(`response of ${method} ${url} does not match its schema: ${where}`);
      }
    }
    return json;
  });
}

function isZod(schema: unknown): schema is ZodType {
  return typeof schema === 'object' && schema !== null && typeof (schema as ZodType).safeParse === 'function';
}

/**
 * An instant in a response: a Date in the handler, an ISO-8601 string on the wire (what JSON.stringify makes of
 * a Date), which is what the document and the check see.
 */
export const Timestamp = z.iso.datetime({ offset: true }) as unknown as z.ZodType<Date | string>;

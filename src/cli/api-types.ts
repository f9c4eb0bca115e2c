import type { OpenAPIV3 } from 'openapi-types';

/**
 * The web app's API types, generated from the OpenAPI document (which zod schemas generate), so the client
 * and the server cannot disagree without `npm run typecheck` or the freshness test saying so. Covers what our
 * document uses: objects, arrays, enums, nullable, $ref, anyOf/oneOf/allOf, records.
 */
export function openApiToTypeScript(doc: OpenAPIV3.Document): string {
  const out: string[] = ['// Generated from the OpenAPI document by `npm run build:api-types`; do not edit.', ''];
  const schemas = doc.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(schemas)) out.push(`export type ${pascal(name)} = ${typeOf(schema, 'output')};`, '');
  out.push('export interface Paths {');
  for (const [url, item] of Object.entries(doc.paths ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (!item) continue;
    const ops: string[] = [];
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? []) as OpenAPIV3.ParameterObject[];
      const group = (where: string) => {
        const ps = params.filter((p) => p.in === where);
        if (!ps.length) return 'never';
        return `{ ${ps.map((p) => `${prop(p.name)}${p.required ? '' : '?'}: ${typeOf(p.schema, 'input')}`).join('; ')} }`;
      };
      const body = (op.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content?.['application/json']?.schema;
      ops.push(
        `    ${method}: { path: ${group('path')}; query: ${group('query')}; body: ${body ? typeOf(body, 'input') : 'never'}; response: ${responseOf(op.responses)} };`,
      );
    }
    if (ops.length) out.push(`  ${JSON.stringify(url)}: {`, ...ops, '  };');
  }
  out.push('}', '');
  return out.join('\n');
}

function responseOf(responses: OpenAPIV3.ResponsesObject | undefined): string {
  for (const status of ['200', '201']) {
    const r = responses?.[status] as OpenAPIV3.ResponseObject | undefined;
    const schema = r?.content?.['application/json']?.schema;
    if (schema) return typeOf(schema, 'output');
  }
  return responses?.['204'] ? 'void' : 'unknown';
}

type Schema = OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject | undefined;

// `input`: what a client may send (a field with a default may be left out); `output`: what the server sends.
function typeOf(s: Schema, mode: 'input' | 'output'): string {
  if (!s) return 'unknown';
  if ('$ref' in s) return pascal(s.$ref.split('/').pop() as string);
  const base = baseOf(s, mode);
  return s.nullable ? `${base} | null` : base;
}

function baseOf(s: OpenAPIV3.SchemaObject, mode: 'input' | 'output'): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map((x) => wrap(typeOf(x, mode))).join(' | ');
  if (s.allOf) return s.allOf.map((x) => wrap(typeOf(x, mode))).join(' & ');
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `${wrap(typeOf(s.items, mode))}[]`;
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      const required = new Set(s.required ?? []);
      const extra = s.additionalProperties;
      const fields = props.map(([k, v]) => {
        const optional = !required.has(k) || (mode === 'input' && v && !('$ref' in v) && v.default !== undefined);
        return `${prop(k)}${optional ? '?' : ''}: ${typeOf(v, mode)}`;
      });
      if (extra && typeof extra === 'object') fields.push(`[key: string]: ${typeOf(extra, mode)}`);
      else if (!props.length) fields.push('[key: string]: unknown');
      return `{ ${fields.join('; ')} }`;
    }
    default:
      return 'unknown';
  }
}

function wrap(t: string): string {
  return /[|&]/.test(t) ? `(${t})` : t;
}

function prop(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

function pascal(name: string): string {
  return name.replace(/(^|[^A-Za-z0-9])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()).replace(/^[0-9]/, (d) => `S${d}`);
}

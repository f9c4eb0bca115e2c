import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, type FieldError } from './errors.js';
import { inWords } from './field-messages.js';

/** RFC 9457 problem+json for every error, with a stable `code`, a human message and per-field errors. */
export function problem(
  reply: FastifyReply,
  req: FastifyRequest,
  status: number,
  code: ErrorCode | string,
  detail: string,
  fields: FieldError[] = [],
  extra: Record<string, unknown> = {},
) {
  return reply
    .status(status)
    .type('application/problem+json')
    .send({
      type: `https://lifeline.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
      title: titleOf(code),
      status,
      code,
      detail,
      instance: req.url,
      requestId: req.id,
      ...(fields.length ? { errors: fields } : {}),
      ...extra,
    });
}

function titleOf(code: string): string {
  const words = code.toLowerCase().split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) return problem(reply, req, err.status, err.code, err.message, err.fields, err.extra);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields = err.validation.map((v) => ({
        path: [String(err.validationContext ?? 'body'), ...pathOf(v.instancePath)].join('.'),
        message: v.message ? inWords(v.message) : 'is invalid',
      }));
      return problem(reply, req, 400, 'VALIDATION_FAILED', `The request ${err.validationContext ?? 'body'} is invalid`, fields);
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return problem(reply, req, 413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than this endpoint accepts');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return problem(reply, req, 415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${req.headers['content-type'] ?? '(none)'} is not accepted here; send application/json`);
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return problem(reply, req, 400, 'MALFORMED_JSON', 'The JSON body is empty');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return problem(reply, req, 400, 'MALFORMED_JSON', `The body is not valid JSON: ${err.message}`);
    }
    if (err instanceof SyntaxError && err.statusCode === 400) {
      return problem(reply, req, 400, 'MALFORMED_JSON', `The body is not valid JSON: ${err.message}`);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return problem(reply, req, err.statusCode, err.code ?? 'BAD_REQUEST', err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return problem(reply, req, 500, 'INTERNAL', 'Something went wrong on our side; the request id identifies it in the logs');
  });
  app.setNotFoundHandler((req, reply) => problem(reply, req, 404, 'NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`));
}

function pathOf(instancePath: string | undefined): string[] {
  return (instancePath ?? '').split('/').filter(Boolean);
}

import { Liquid } from 'liquidjs';
import { AppError } from '../../platform/errors.js';

/**
 * Liquid templates written by admins (auto-replies now, macros and triggers later). Limits keep a bad template
 * from stalling a worker; unknown filters are errors at save time, unknown variables render empty.
 */
const engine = new Liquid({
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
});

/** Throws INVALID_TEMPLATE naming the field when `source` does not parse. */
export function checkTemplate(source: string, path: string): void {
  try {
    engine.parse(source);
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? 'invalid template';
    throw new AppError('INVALID_TEMPLATE', `The template in ${path} is not valid Liquid: ${message}`, { fields: [{ path, message }] });
  }
}

// Parsed templates by source: an address's auto-reply is rendered for every new ticket from email.
const parsed = new Map<string, ReturnType<Liquid['parse']>>();

export async function renderTemplate(source: string, data: Record<string, unknown>): Promise<string> {
  let template = parsed.get(source);
  if (!template) {
    template = engine.parse(source);
    if (parsed.size > 500) parsed.clear();
    parsed.set(source, template);
  }
  return engine.render(template, data);
}

export const DEFAULT_AUTO_REPLY_SUBJECT = 'Re: {{ ticket.subject }}';

export const DEFAULT_AUTO_REPLY_BODY = `Hello {{ requester.first_name }},

Thank you for writing to {{ address.name }}. We have received your request and opened ticket #{{ ticket.number }}:

    {{ ticket.subject }}
{% if priority.expected_response != blank %}
Expected response for {{ priority.name }} requests: {{ priority.expected_response }}.
{% endif %}{% if self_help.size > 0 %}
While you wait, these pages may already have the answer:
{% for link in self_help %}  - {{ link.title }}: {{ link.url }}
{% endfor %}{% endif %}
To add anything, reply to this email and keep [#{{ ticket.number }}] in the subject.

{{ address.name }}
`;

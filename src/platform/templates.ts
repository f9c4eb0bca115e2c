import { type FS, Liquid } from 'liquidjs';
import { AppError } from './errors.js';

/**
 * Liquid templates written by staff: auto-replies, macros, trigger and automation actions. Limits keep a bad
 * template from stalling a worker; unknown filters are errors at save time, unknown variables render empty.
 *
 * Templates have no file system. liquidjs's default resolves `{% include %}`, `{% render %}` and `{% layout %}`
 * against the working directory (and `require.resolve`), which let any agent render `package.json` or the
 * embedded database: here the three tags are refused when a template is parsed, and the engine's file system
 * finds nothing, whatever the path (absolute, `../`, a package name), in case a tag ever reaches it anyway.
 */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  contains: async () => false,
  containsSync: () => false,
  readFile: async (file: string) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file: string) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir: string, file: string, ext: string) => file + ext,
  dirname: () => '',
  sep: '/',
};

// Output past this many characters is refused: a message, a subject or an email body, never megabytes.
export const MAX_RENDERED_CHARS = 200_000;

const engine = new Liquid({
  fs: NO_FILES,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  dynamicPartials: true,
  cache: false,
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 1_000_000,
});
for (const tag of ['include', 'render', 'layout']) {
  engine.registerTag(tag, {
    parse() {
      throw new Error(`{% ${tag} %} is not available: templates cannot read other files`);
    },
    render() {},
  });
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'invalid template';
}

function invalid(path: string, message: string, verb = 'is not valid Liquid'): AppError {
  return new AppError('INVALID_TEMPLATE', `The template in ${path} ${verb}: ${message}`, { fields: [{ path, message }] });
}

/** Throws INVALID_TEMPLATE naming the field when `source` does not parse. */
export function checkTemplate(source: string, path: string): void {
  try {
    engine.parse(source);
  } catch (err) {
    throw invalid(path, firstLine(err));
  }
}

// Parsed templates by source: an address's auto-reply is rendered for every new ticket from email.
const parsed = new Map<string, ReturnType<Liquid['parse']>>();

/**
 * The template rendered with `data`. A template that does not parse (one saved before a rule changed), fails
 * while rendering (a render or memory limit, a filter's error) or renders too much is INVALID_TEMPLATE (422)
 * naming `path`, never an unexpected error.
 */
export async function renderTemplate(source: string, data: Record<string, unknown>, path = 'template'): Promise<string> {
  let template = parsed.get(source);
  if (!template) {
    try {
      template = engine.parse(source);
    } catch (err) {
      throw invalid(path, firstLine(err));
    }
    if (parsed.size > 500) parsed.clear();
    parsed.set(source, template);
  }
  let out: unknown;
  try {
    out = await engine.render(template, data);
  } catch (err) {
    throw invalid(path, firstLine(err), 'could not be rendered');
  }
  const text = typeof out === 'string' ? out : String(out ?? '');
  if (text.length > MAX_RENDERED_CHARS) throw invalid(path, `renders to more than ${MAX_RENDERED_CHARS} characters`, 'could not be rendered');
  return text;
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
{% endfor %}{% endif %}{% if articles.size > 0 %}
These articles from our help centre may answer your question:
{% for article in articles %}  - {{ article.title }}{% if article.language != "" %} ({{ article.language }}){% endif %}: {{ article.url }}
{% endfor %}{% endif %}
To add anything, reply to this email and keep [#{{ ticket.number }}] in the subject.

{{ address.name }}
`;

import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { htmlToText } from '../../platform/html.js';

// One parser for articles: GitHub-flavoured Markdown (tables, fenced code), raw HTML in the source is escaped by
// the sanitiser below (tags not on its list are dropped).
const parser = new Marked({ async: false, gfm: true, breaks: false });

const FILE = /^\/help\/files\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** An image source an article may use: one of its own files (/help/files/<id>) or an https URL; nothing else. */
export function articleImageSource(raw: string): string | null {
  const s = raw.replace(/[\u0000-\u0020]/g, '');
  const file = FILE.exec(s);
  if (file?.[1]) return `/help/files/${file[1].toLowerCase()}`;
  try {
    const url = new URL(s);
    return url.protocol === 'https:' && !url.username && !url.password ? url.href : null;
  } catch {
    return null;
  }
}

/** A link an article may hold: http(s), mailto, or a path on this site (another article, a file). */
export function articleLink(raw: string): string | null {
  const s = raw.replace(/[\u0000-\u0020]/g, '');
  if (/^\/(?!\/)[^\\]*$/.test(s) || /^#[\w-]*$/.test(s)) return s;
  try {
    const url = new URL(s);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) && !url.username && !url.password ? url.href : null;
  } catch {
    return null;
  }
}

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'b', 'strong', 'i', 'em', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'h2', 'h3',
    'h4', 'h5', 'h6', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'kbd', 'input',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'title'], code: ['class'], th: ['align'], td: ['align'], ol: ['start'], input: ['type', 'checked', 'disabled'] },
  allowedClasses: { code: ['language-*'] },
  // Schemes are checked by the transforms below; these are a second fence.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // A page title is the article's h1; headings in the body start at h2.
    h1: 'h2',
    a: (_tag, attribs) => {
      const href = attribs.href === undefined ? null : articleLink(attribs.href);
      const external = href !== null && /^(https?|mailto):/i.test(href);
      return { tagName: 'a', attribs: { ...(href ? { href } : {}), ...(attribs.title ? { title: attribs.title } : {}), ...(external ? { rel: 'noopener noreferrer nofollow' } : {}) } };
    },
    img: (_tag, attribs) => {
      const src = attribs.src === undefined ? null : articleImageSource(attribs.src);
      // No src: removed whole by the filter below.
      return { tagName: 'img', attribs: src ? { src, alt: attribs.alt ?? '', ...(attribs.title ? { title: attribs.title } : {}) } : {} };
    },
    // Task lists only: a disabled checkbox.
    input: (_tag, attribs) =>
      ({ tagName: 'input', attribs: attribs.type === 'checkbox' ? { type: 'checkbox', disabled: '', ...(attribs.checked !== undefined ? { checked: '' } : {}) } : {} }),
  },
  exclusiveFilter: (frame) => (frame.tag === 'img' && !frame.attribs.src) || (frame.tag === 'input' && frame.attribs.type !== 'checkbox'),
};

/**
 * An article's Markdown as sanitised HTML, and its plain text (for search and snippets). Scripts, iframes, event
 * handlers, styles and `javascript:`/`data:` links never survive: raw HTML not on the list is dropped (script and
 * style with their content), links outside the rules lose their target, images outside them are dropped.
 */
export function renderArticle(markdown: string): { html: string; text: string } {
  const raw = parser.parse(markdown) as string;
  const html = sanitizeHtml(raw, OPTIONS);
  // Control characters are the snippet markers (see search): none may come from the text itself.
  const text = htmlToText(html).replace(/[\u0000-\u0008\u000b-\u001f]/g, ' ');
  return { html, text };
}

/** Escapes text for HTML (element content and double-quoted attributes). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

// What a message body may contain once rendered: formatting, links, images by URL or data URI. No scripts,
// no event handlers, no forms, no styles that could overlay the app.
const SAFE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'b', 'strong', 'i', 'em', 'u', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'div',
  ],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https', 'data', 'cid'] },
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
};

export function sanitize(html: string): string {
  return sanitizeHtml(html, { ...SAFE, allowedAttributes: { ...SAFE.allowedAttributes, a: ['href', 'title', 'rel', 'target'] } });
}

/**
 * HTML from an incoming email: as `sanitize`, and images only from the message itself (its attachments, data
 * URIs). A remote image in a mail is a tracking pixel or a way to make the agent's browser call out.
 */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, {
    ...SAFE,
    allowedSchemesByTag: { img: ['data'] },
    exclusiveFilter: (frame) => frame.tag === 'img' && !/^(\/api\/v1\/attachments\/|data:image\/)/.test(frame.attribs.src ?? ''),
  });
}

export function markdownToHtml(markdown: string): string {
  return sanitize(marked.parse(markdown, { async: false, gfm: true, breaks: true }));
}

/** Plain text (an email body) as HTML: escaped, paragraphs and line breaks kept, nothing interpreted. */
export function textToHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return escaped
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** Plain text of sanitised HTML, for search and previews. */
export function htmlToText(html: string): string {
  return sanitizeHtml(html.replace(/<(br|\/p|\/div|\/li|\/h[1-6])\s*\/?>/gi, '\n$&'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

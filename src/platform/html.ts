import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * The attribute that holds a remote image's URL until an agent asks to see it. Only ever an absolute http(s) URL.
 */
export const REMOTE_SRC = 'data-remote-src';

// What a message body may contain once rendered: formatting, links, images. No scripts, no event handlers, no
// forms, no styles that could overlay the app. Images pass through `image()` below.
const SAFE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'b', 'strong', 'i', 'em', 'u', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'div',
  ],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height', REMOTE_SRC], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https', 'data', 'cid'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
};

/**
 * What happens to an image from another site. `show`: an https `src` stays (agents' own messages, which are also
 * mailed out). `hold`: the URL moves to the inert `data-remote-src` attribute, which loads nothing, and the agent
 * app's "Show remote images" swaps it in on request, like a mail client: a remote image in a customer's message
 * is a tracking pixel, or a way to make an agent's browser call out.
 */
export type RemoteImages = 'show' | 'hold';

const ORIGIN = 'https://lifeline.invalid';
const ATTACHMENT = /^\/api\/v1\/attachments\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * An image source as the browser would resolve it: whitespace and control characters stripped, backslashes as
 * slashes, `..` and `%2e%2e` resolved, percent-encodings decoded. What is left is an image in the message itself
 * (a data URI, a cid), one of Lifeline's attachments (`/api/v1/attachments/<id>` exactly, rewritten in that
 * canonical form), a remote http(s) URL, or nothing (any other path on this server, other schemes).
 */
export type ImageSource = { kind: 'inline'; src: string } | { kind: 'attachment'; src: string } | { kind: 'remote'; url: string };

export function classifyImageSource(raw: string): ImageSource | null {
  // Browsers drop leading/trailing C0 controls and spaces, and tabs and newlines anywhere.
  const s = raw.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (/^data:image\/[a-z0-9.+-]+[;,]/i.test(s)) return { kind: 'inline', src: s };
  if (/^cid:/i.test(s)) return { kind: 'inline', src: s };
  let url: URL;
  try {
    url = new URL(s, `${ORIGIN}/`);
  } catch {
    return null;
  }
  if (url.origin === ORIGIN) {
    // A path on this server: only an attachment, after decoding any percent-encoding and resolving again.
    let path = url.pathname;
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(path); i++) {
      try {
        path = new URL(decodeURIComponent(path).replace(/\\/g, '/'), `${ORIGIN}/`).pathname;
      } catch {
        return null;
      }
    }
    const id = ATTACHMENT.exec(path)?.[1];
    return id && !/%/.test(path) ? { kind: 'attachment', src: `/api/v1/attachments/${id.toLowerCase()}` } : null;
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.username || url.password ? null : { kind: 'remote', url: url.href };
  return null;
}

/** The `img` tag per the image rules; one renamed to a tag that is not allowed is dropped by the sanitiser. */
function image(remote: RemoteImages, inline: { cid: boolean }): sanitizeHtml.Transformer {
  const drop = { tagName: 'dropped-image', attribs: {} };
  return (_tag, attribs) => {
    const { src, [REMOTE_SRC]: held, ...rest } = attribs;
    if (src === undefined) {
      // Already held (sanitised before, or sent that way): kept only as an absolute http(s) URL, never made a src.
      const c = held === undefined ? null : classifyImageSource(held);
      return c?.kind === 'remote' ? { tagName: 'img', attribs: { ...rest, [REMOTE_SRC]: c.url } } : drop;
    }
    const c = classifyImageSource(src);
    if (!c) return drop;
    if (c.kind === 'attachment') return { tagName: 'img', attribs: { ...rest, src: c.src } };
    if (c.kind === 'inline') return /^cid:/i.test(c.src) && !inline.cid ? drop : { tagName: 'img', attribs: { ...rest, src: c.src } };
    if (remote === 'hold') return { tagName: 'img', attribs: { ...rest, [REMOTE_SRC]: c.url } };
    return c.url.startsWith('https:') ? { tagName: 'img', attribs: { ...rest, src: c.url } } : drop;
  };
}

/** Sanitised HTML for a message body. Customers' messages hold remote images (`remoteImages: 'hold'`). */
export function sanitize(html: string, options: { remoteImages?: RemoteImages } = {}): string {
  return sanitizeHtml(html, {
    ...SAFE,
    allowedAttributes: { ...SAFE.allowedAttributes, a: ['href', 'title', 'rel', 'target'] },
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
      img: image(options.remoteImages ?? 'show', { cid: true }),
    },
  });
}

/**
 * HTML from an incoming email: as `sanitize` for a customer — remote images held until an agent asks — and
 * images from the message itself (its attachments, data URIs).
 */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, {
    ...SAFE,
    allowedSchemesByTag: { img: ['data'] },
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
      img: image('hold', { cid: false }),
    },
  });
}

export function markdownToHtml(markdown: string, options: { remoteImages?: RemoteImages } = {}): string {
  return sanitize(marked.parse(markdown, { async: false, gfm: true, breaks: true }), options);
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

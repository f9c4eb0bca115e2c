/**
 * Remote images in customers' messages arrive held: the server moves their URL to `data-remote-src`, which loads
 * nothing (a remote image is a tracking pixel, or a way to make an agent's browser call out). "Show remote
 * images" swaps them in for one message, like a mail client.
 */
export const REMOTE_SRC = 'data-remote-src';

export function hasRemoteImages(html: string): boolean {
  return html.includes(`${REMOTE_SRC}=`);
}

/** The message's HTML with its held images loading (https and http URLs only; sent without a referrer). */
export function withRemoteImages(html: string): string {
  // An inert document: parsing it runs nothing and loads nothing.
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}</body>`, 'text/html');
  for (const img of doc.querySelectorAll(`img[${REMOTE_SRC}]`)) {
    const url = img.getAttribute(REMOTE_SRC) ?? '';
    img.removeAttribute(REMOTE_SRC);
    if (!/^https?:\/\//i.test(url)) continue;
    img.setAttribute('referrerpolicy', 'no-referrer');
    img.setAttribute('src', url);
  }
  return doc.body.innerHTML;
}

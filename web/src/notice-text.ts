/**
 * A notice's markdown body as plain structure, for the inbox to render as text nodes: the few
 * forms our messages use (`### heading`, paragraphs, `- ` items, `**bold**`, `[text](url)`).
 * Nothing is ever turned into HTML, so a file name like `<img onerror=…>` stays text; a link
 * is kept only when it leads to a dashboard page (its `#/…` route), never `javascript:` or elsewhere.
 */

export type Inline = { type: 'text'; text: string } | { type: 'strong'; text: string } | { type: 'link'; text: string; route: string };

export type Block = { type: 'heading'; inline: Inline[] } | { type: 'paragraph'; inline: Inline[] } | { type: 'list'; items: Inline[][] };

/** The dashboard route (`#/alerts/…`) of a link to the dashboard, or undefined for any other target. */
export function dashboardRoute(url: string): string | undefined {
  const at = url.indexOf('#/');
  if (at < 0) return undefined;
  const base = url.slice(0, at);
  if (base !== '' && !/^https?:\/\/[^\s/?#]+\/?$/.test(base)) return undefined;
  const route = url.slice(at);
  return /^#\/[\w\-/%.~]*$/.test(route) ? route : undefined;
}

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const pattern = /\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push({ type: 'text', text: text.slice(last, match.index) });
    if (match[1] !== undefined) out.push({ type: 'strong', text: match[1] });
    else {
      const route = dashboardRoute(match[3]);
      // any other target is shown as it was written, not followed
      out.push(route ? { type: 'link', text: match[2], route } : { type: 'text', text: match[0] });
    }
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ type: 'text', text: text.slice(last) });
  return out;
}

export function parseNoticeBody(body: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of body.split(/\n{2,}/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '');
    if (!lines.length) continue;
    if (lines.every((l) => /^\s*- /.test(l))) {
      const items = lines.map((l) => parseInline(l.replace(/^\s*- /, '')));
      // the digest puts a blank line between its items: one list all the same
      const previous = blocks.at(-1);
      if (previous?.type === 'list') previous.items.push(...items);
      else blocks.push({ type: 'list', items });
    } else if (lines.length === 1 && /^#{1,6} /.test(lines[0])) {
      blocks.push({ type: 'heading', inline: parseInline(lines[0].replace(/^#{1,6} /, '')) });
    } else {
      blocks.push({ type: 'paragraph', inline: parseInline(lines.join(' ')) });
    }
  }
  return blocks;
}

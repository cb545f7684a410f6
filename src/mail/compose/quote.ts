/**
 * Text and HTML building blocks for replies and forwards composed by the
 * server (MS-ASCMD 2.2.1.19 SmartForward, 2.2.1.20 SmartReply: "the full text
 * of the original message is retrieved and sent by the server").
 */

/** What the quote header shows about the original message. */
export interface OriginalSummary {
  readonly from?: string;
  readonly to?: string;
  readonly cc?: string;
  readonly date?: Date;
  readonly subject?: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Plain text as HTML that keeps its line breaks. */
export function textToHtml(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>\n');
}

/**
 * RFC 3676 4.5 style quoting: every line prefixed with "> ", and lines that
 * already start with ">" get a bare ">" so nested quotes stay compact.
 */
export function quoteText(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  return lines.map((l) => (l.startsWith('>') ? `>${l}` : l === '' ? '>' : `> ${l}`)).join('\n');
}

function dateText(d: Date | undefined): string | undefined {
  return d && !Number.isNaN(d.getTime()) ? d.toUTCString() : undefined;
}

/** The attribution line of a reply ("On <date>, <from> wrote:"). */
export function replyAttribution(o: OriginalSummary): string {
  const when = dateText(o.date);
  const who = o.from || 'the sender';
  return when ? `On ${when}, ${who} wrote:` : `${who} wrote:`;
}

/** The header block of an inline forward, one "Name: value" line per known field. */
export function forwardHeaderLines(o: OriginalSummary): string[] {
  const lines = ['---------- Forwarded message ----------'];
  if (o.from) lines.push(`From: ${o.from}`);
  const when = dateText(o.date);
  if (when) lines.push(`Date: ${when}`);
  if (o.subject !== undefined) lines.push(`Subject: ${o.subject}`);
  if (o.to) lines.push(`To: ${o.to}`);
  if (o.cc) lines.push(`Cc: ${o.cc}`);
  return lines;
}

/** The inside of <body> when the HTML has one, otherwise the whole text; for embedding a message in another. */
export function htmlBodyContent(html: string): string {
  const m = /<body[^>]*>([\s\S]*?)<\/body\s*>/i.exec(html);
  if (m) return m[1]!;
  return html.replace(/<!DOCTYPE[^>]*>/i, '').replace(/<\/?html[^>]*>/gi, '').replace(/<head[^>]*>[\s\S]*?<\/head\s*>/i, '');
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * A plain-text rendering of HTML for the text/plain side of a reply or
 * forward, used when the original has no text part (mailparser derives one
 * only for single-part HTML). Block ends become line breaks; markup goes.
 */
export function htmlToText(html: string): string {
  return htmlBodyContent(html)
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|pre|table)\s*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return NAMED_ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Puts `fragment` at the end of an HTML document's body (or of the fragment when there is no body). */
export function appendToHtml(html: string, fragment: string): string {
  const i = html.search(/<\/body\s*>/i);
  return i >= 0 ? html.slice(0, i) + fragment + html.slice(i) : html + fragment;
}

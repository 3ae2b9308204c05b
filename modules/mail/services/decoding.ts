import iconv from 'iconv-lite';

/**
 * What mailparser silently tolerates, found before it parses: a multipart whose declared
 * boundary never appears, a charset the decoder does not know (mailparser then decodes the
 * bytes as UTF-8 and Turkish letters become U+FFFD), bytes that are not valid in their declared
 * charset, invalid base64 or quoted-printable. Text in an unknown (or wrong) charset that reads
 * as clean Turkish in UTF-8, ISO-8859-9 or windows-1254 is decoded with that charset instead
 * (the raw bytes are kept as they came; the label is corrected in a copy that mailparser reads),
 * and the fallback is recorded. Anything else is a problem: the mail is quarantined.
 */

/** The charsets tried, in order, for text whose declared charset is unknown or wrong. */
export const FALLBACK_CHARSETS = ['utf-8', 'iso-8859-9', 'windows-1254'] as const;

export interface MailInspection {
  /** Why the mail cannot be read faithfully (empty: it can). */
  problems: string[];
  /** The raw bytes with corrected charset labels for mailparser, or null when nothing changed. */
  patched: Buffer | null;
  /** What was decoded with another charset than declared, for people. */
  note: string | null;
  /** The charsets used instead of the declared ones (comma-separated), or null. */
  fallbackCharset: string | null;
  /** Whether an inline text part (plain or HTML) holds text: then the body must not decode to nothing. */
  hasText: boolean;
  /** Whether U+FFFD is in the source itself (so a decoded U+FFFD is not a decoding loss). */
  sourceHasReplacement: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface Piece {
  /** Where the text is, for people ("the subject", "part 1.2 (text/plain)"). */
  where: string;
  declared: string | null;
  bytes: Buffer;
  /** Rewrites the charset label of this piece. */
  relabel: (charset: string) => Edit[];
  /** Inline body text (plain or HTML), as opposed to a header. */
  body: 'plain' | 'html' | null;
  /** Whether a piece that cannot be read makes the mail bad (body, subject, sender); others are decoded when a fallback fits. */
  required: boolean;
}

const REPLACEMENT = '\uFFFD';
const MAX_DEPTH = 30;
const MAX_PARTS = 2000;

/** Charsets libmime refuses (decoded as UTF-8 instead): UTF-7 smuggles markup, base64 and hex are not charsets. */
const REFUSED = /^(?:utf-?7|utf-?7-?imap|unicode-?1-?1-?utf-?7|csunicode11utf7|base64|hex)$/i;
const JAPANESE = /^(?:jis|iso-?2022-?jp|eucjp)/i;
const UTF8_ALIASES = /^(?:utf-?8|(?:us-?)?ascii|7bit)$/i;

/** Normalizes a charset name the way libmime does before it asks iconv-lite. */
function normalized(name: string): string {
  return name
    .toLowerCase()
    .trim()
    .replace(/^utf[-_]?(\d+)/, 'utf-$1')
    .replace(/^win(?:dows)?[-_]?(\d+)/, 'windows-$1')
    .replace(/^(?:latin|iso[-_]?8859)[-_]?(\d+)/, 'iso-8859-$1')
    .replace(/^l[-_]?(\d+)$/, 'iso-8859-$1');
}

/** Whether mailparser can decode text in this charset (else it decodes it as UTF-8). */
export function isKnownCharset(name: string): boolean {
  const n = name.trim();
  if (!n || REFUSED.test(n.replace(/[^a-z0-9-]/gi, ''))) return false;
  if (UTF8_ALIASES.test(n) || JAPANESE.test(n)) return true;
  return iconv.encodingExists(n) || iconv.encodingExists(normalized(n));
}

function decodeAs(bytes: Buffer, charset: string): string {
  if (UTF8_ALIASES.test(charset.trim())) return bytes.toString('utf8');
  return iconv.decode(bytes, iconv.encodingExists(charset) ? charset : normalized(charset));
}

const isAscii = (b: Buffer) => b.every((x) => x < 0x80);

const TURKISH_LETTERS = 'çğıöşüÇĞİÖŞÜ';
/** Non-ASCII characters Turkish text uses: its letters, circumflexed vowels and common punctuation. */
const TURKISH_CLEAN = new Set([...`${TURKISH_LETTERS}âîûÂÎÛ€‚„…‘’“”–—•™«»°·§©®±×÷\u00a0`]);

/** Control characters other than tab, line breaks and form feed (C0 and C1): bytes read in the wrong charset. */
function hasControls(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && ch !== '\n' && ch !== '\r' && ch !== '\t' && ch !== '\f') || (c >= 0x80 && c < 0xa0)) return true;
  }
  return false;
}

/** Text that is plausibly Turkish: no invalid sequences or controls, only Turkish non-ASCII characters, at least one Turkish letter. */
export function isCleanTurkish(text: string): boolean {
  let turkish = false;
  if (hasControls(text)) return false;
  for (const ch of text) {
    if (ch.codePointAt(0)! < 0x80) continue;
    if (!TURKISH_CLEAN.has(ch)) return false;
    if (TURKISH_LETTERS.includes(ch)) turkish = true;
  }
  return turkish;
}

/** The bytes decoded with a fallback charset, when they read as clean Turkish in it. */
function fallbackFor(bytes: Buffer, declared: string | null): { charset: string; text: string } | null {
  for (const charset of FALLBACK_CHARSETS) {
    if (declared && normalized(declared) === charset) continue;
    let text: string;
    try {
      text = charset === 'utf-8' ? new TextDecoder('utf-8', { fatal: true }).decode(bytes) : iconv.decode(bytes, charset);
    } catch {
      continue;
    }
    if (isCleanTurkish(text)) return { charset, text };
  }
  return null;
}

// --- the MIME structure ---

interface Header {
  /** Absolute offset of the header block in the raw mail. */
  start: number;
  /** The header block as latin1 (one character per byte, so offsets are byte offsets). */
  block: string;
}

/** Header blocks longer than this are cut there (the rest is read as the body), as mail servers do. */
const MAX_HEADER = 1024 * 1024;

function splitHeader(raw: Buffer, start: number, end: number): { header: Header; bodyStart: number } {
  // Most header blocks end within 64 kB: only a longer one costs a longer read.
  let s = raw.toString('latin1', start, Math.min(end, start + 64 * 1024));
  if (!/^\r?\n|\n\r?\n/.test(s) && start + s.length < end) s = raw.toString('latin1', start, Math.min(end, start + MAX_HEADER));
  let cut = -1;
  let sep = 0;
  // An empty header block: the part starts with its blank line.
  if (s.startsWith('\r\n')) return { header: { start, block: '' }, bodyStart: start + 2 };
  if (s.startsWith('\n')) return { header: { start, block: '' }, bodyStart: start + 1 };
  const crlf = s.indexOf('\r\n\r\n');
  const lf = s.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) [cut, sep] = [crlf, 4];
  else if (lf >= 0) [cut, sep] = [lf, 2];
  if (cut < 0) return { header: { start, block: s }, bodyStart: start + s.length };
  return { header: { start, block: s.slice(0, cut + sep / 2) }, bodyStart: start + cut + sep };
}

/** A header field: its value unfolded, and where it is in the block. */
function field(h: Header, name: string): { value: string; index: number; length: number } | null {
  const re = new RegExp(`^${name}[ \\t]*:([^\\n]*(?:\\r?\\n[ \\t][^\\n]*)*)`, 'im');
  const m = re.exec(h.block);
  if (!m) return null;
  return { value: m[1].replace(/\r?\n[ \t]+/g, ' ').trim(), index: m.index, length: m[0].replace(/\r$/, '').length };
}

function param(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value);
  if (!m) return null;
  return (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1');
}

/** Rewrites (or adds) the charset parameter of a part's Content-Type. */
function relabelPart(h: Header, charset: string): Edit[] {
  const ct = field(h, 'content-type');
  if (!ct) return [{ start: h.start, end: h.start, text: `Content-Type: text/plain; charset=${charset}\r\n` }];
  const text = h.block.slice(ct.index, ct.index + ct.length);
  const m = /(;\s*charset\s*=\s*)("[^"]*"|[^;\s]*)/i.exec(text);
  if (m) {
    const at = h.start + ct.index + m.index + m[1].length;
    return [{ start: at, end: at + m[2].length, text: charset }];
  }
  const at = h.start + ct.index + ct.length;
  return [{ start: at, end: at, text: `; charset=${charset}` }];
}

/** Base64 without characters outside the alphabet (padding may close several concatenated chunks). */
function base64Valid(b: Buffer): boolean {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    // A-Z a-z 0-9 + /
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47) n++;
    else if (c !== 61 && c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return n % 4 !== 1;
}

function validUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function quotedPrintableValid(s: string): boolean {
  return !/=(?![0-9A-Fa-f]{2}|[ \t]*(?:\r?\n|$))/.test(s);
}

function decodeQuotedPrintable(s: string): Buffer {
  const bytes: number[] = [];
  const text = s.replace(/=[ \t]*\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return Buffer.from(bytes);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

class Walker {
  problems: string[] = [];
  pieces: Piece[] = [];
  parts = 0;

  constructor(private readonly raw: Buffer) {}

  node(start: number, end: number, where: string, depth: number, defaultType = 'text/plain'): void {
    if (++this.parts > MAX_PARTS || depth > MAX_DEPTH) {
      if (this.parts === MAX_PARTS + 1 || depth === MAX_DEPTH + 1) this.problems.push(`the MIME structure is nested too deep or has too many parts (at ${where})`);
      return;
    }
    const { header, bodyStart } = splitHeader(this.raw, start, end);
    this.headerWords(header, where);
    const ct = field(header, 'content-type');
    const type = (ct?.value.split(';')[0].trim().toLowerCase() || defaultType).replace(/\s+/g, '');
    const disposition = (field(header, 'content-disposition')?.value.split(';')[0].trim().toLowerCase() ?? '') || null;
    const label = where === 'the mail' ? 'the body' : where;
    if (type.startsWith('multipart/')) {
      const boundary = param(ct?.value ?? '', 'boundary');
      if (!boundary) {
        this.problems.push(`${label} is ${type} without a boundary`);
        return;
      }
      const body = this.raw.toString('latin1', bodyStart, end);
      const re = new RegExp(`^--${escapeRe(boundary)}(--)?[ \\t]*(?=\\r?\\n|$)`, 'gm');
      const marks: { at: number; after: number; close: boolean }[] = [];
      for (let m = re.exec(body); m; m = re.exec(body)) {
        let after = m.index + m[0].length;
        if (body.startsWith('\r\n', after)) after += 2;
        else if (body.startsWith('\n', after)) after += 1;
        marks.push({ at: m.index, after, close: !!m[1] });
        if (m[1]) break;
      }
      if (!marks.some((m) => !m.close)) {
        this.problems.push(`${label} is ${type} with the boundary "${boundary}", which never appears in it: its parts cannot be read`);
        return;
      }
      const child = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
      for (let i = 0; i < marks.length && !marks[i].close; i++) {
        // A part ends at the line break before the next delimiter (or at the end when the closing one is missing).
        let partEnd = i + 1 < marks.length ? marks[i + 1].at : body.length;
        if (i + 1 < marks.length) {
          if (body.slice(partEnd - 2, partEnd) === '\r\n') partEnd -= 2;
          else if (body[partEnd - 1] === '\n') partEnd -= 1;
        }
        const n = where === 'the mail' ? `part ${i + 1}` : `${where}.${i + 1}`;
        this.node(bodyStart + marks[i].after, bodyStart + Math.max(partEnd, marks[i].after), n, depth + 1, child);
      }
      return;
    }
    const cte = (field(header, 'content-transfer-encoding')?.value ?? '').toLowerCase().split(/[\s;(]/)[0];
    const inlineText = (type === 'text/plain' || type === 'text/html') && disposition !== 'attachment';
    let bytes = this.raw.subarray(bodyStart, end);
    if (cte === 'base64') {
      if (!base64Valid(bytes)) this.problems.push(`${label} (${type}) is not valid base64`);
      // Attachments are only checked; text is decoded to check its charset.
      if (inlineText) bytes = Buffer.from(bytes.toString('latin1').replace(/\s+/g, ''), 'base64');
    } else if (cte === 'quoted-printable') {
      const content = bytes.toString('latin1');
      if (!quotedPrintableValid(content)) this.problems.push(`${label} (${type}) is not valid quoted-printable`);
      if (inlineText) bytes = decodeQuotedPrintable(content);
    }
    if (!inlineText) return;
    const charset = param(ct?.value ?? '', 'charset');
    this.pieces.push({ where: `${label} (${type})`, declared: charset, bytes, relabel: (c) => relabelPart(header, c), body: type === 'text/html' ? 'html' : 'plain', required: true });
  }

  /** Encoded words (RFC 2047) of a header block; adjacent words of one charset are one piece (a character may span them). */
  headerWords(h: Header, where: string): void {
    const re = /=\?([^?*\s]+)(\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=/g;
    type Word = { index: number; end: number; charsetAt: number; charset: string; bytes: Buffer; line: string };
    const words: Word[] = [];
    for (let m = re.exec(h.block); m; m = re.exec(h.block)) {
      // The field the word is in: the last line before it that is not a continuation.
      let lineStart = h.block.lastIndexOf('\n', m.index) + 1;
      while (lineStart > 0 && /[ \t]/.test(h.block[lineStart])) lineStart = h.block.lastIndexOf('\n', lineStart - 2) + 1;
      const name = /^[^:\s]+/.exec(h.block.slice(lineStart, lineStart + 200))?.[0] ?? 'a';
      const enc = m[3].toUpperCase();
      const bytes = enc === 'B' ? Buffer.from(m[4], 'base64') : decodeQuotedPrintable(m[4].replace(/_/g, ' '));
      words.push({ index: m.index, end: m.index + m[0].length, charsetAt: h.start + m.index + 2, charset: m[1], bytes, line: name });
    }
    const groups: Word[][] = [];
    for (const w of words) {
      const last = groups[groups.length - 1]?.at(-1);
      if (last && last.charset.toLowerCase() === w.charset.toLowerCase() && /^\s*$/.test(h.block.slice(last.end, w.index))) groups[groups.length - 1].push(w);
      else groups.push([w]);
    }
    for (const g of groups) {
      const fieldName = g[0].line.toLowerCase();
      const whereText = fieldName === 'subject' && where === 'the mail' ? 'the subject' : `the ${fieldName} header${where === 'the mail' ? '' : ` of ${where}`}`;
      this.pieces.push({
        where: whereText,
        body: null,
        required: where === 'the mail' && (fieldName === 'subject' || fieldName === 'from'),
        declared: g[0].charset,
        bytes: Buffer.concat(g.map((w) => w.bytes)),
        relabel: (c) => g.map((w) => ({ start: w.charsetAt, end: w.charsetAt + w.charset.length, text: c })),
      });
    }
  }
}

/** Whether text shows anything (HTML: outside markup, head, styles and scripts). */
function visibleText(text: string, kind: 'plain' | 'html'): boolean {
  if (kind === 'html') {
    // Very long HTML is taken to show text (the patterns below stay linear on the rest).
    if (text.length > 512 * 1024) return true;
    text = text
      .replace(/<(head|style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;|&#160;|&#xa0;/gi, ' ');
  }
  return /\S/.test(text.replace(/[\u00a0\u200b-\u200d\ufeff]/g, ' '));
}

/**
 * Inspects raw mail; with `charset` (an administrator's choice on retry) text whose declared
 * charset is unknown or wrong is decoded with that charset instead of the fallbacks.
 */
export function inspectMail(raw: Buffer, opts: { charset?: string | null } = {}): MailInspection {
  const w = new Walker(raw);
  w.node(0, raw.length, 'the mail', 0);
  const edits: Edit[] = [];
  const used = new Map<string, { declared: string | null; where: string[] }>();
  let hasText = false;
  let sourceHasReplacement = raw.includes(Buffer.from(REPLACEMENT, 'utf8'));
  for (const p of w.pieces) {
    // No charset: mailparser decodes the text as UTF-8.
    const effective = p.declared ?? 'utf-8';
    let text: string | null = null;
    if (isKnownCharset(effective)) {
      const utf8 = UTF8_ALIASES.test(effective.trim());
      text = decodeAs(p.bytes, effective);
      // Bytes invalid in their declared charset decode to U+FFFD: a wrong label, treated as an unknown one.
      if (utf8 ? !validUtf8(p.bytes) : text.includes(REPLACEMENT)) text = null;
      else if (text.includes(REPLACEMENT)) sourceHasReplacement = true;
    } else if (isAscii(p.bytes)) {
      // Only ASCII: every charset mailparser could fall back to reads it right.
      text = p.bytes.toString('latin1');
    }
    if (text === null) {
      let chosen: { charset: string; text: string } | null = null;
      if (opts.charset) {
        const t = decodeAs(p.bytes, opts.charset);
        if (!t.includes(REPLACEMENT) && !hasControls(t)) chosen = { charset: opts.charset, text: t };
      } else chosen = fallbackFor(p.bytes, p.declared);
      const declaredText = p.declared === null ? 'no charset' : isKnownCharset(p.declared) ? `the charset "${p.declared}", which its bytes are not valid in` : `the charset "${p.declared}", which is not known`;
      if (!chosen) {
        // A filename or a recipient's name left as mailparser decodes it does not lose the customer's text.
        if (!p.required) continue;
        w.problems.push(
          opts.charset
            ? `${p.where} has ${declaredText}, and does not decode as ${opts.charset} either`
            : `${p.where} has ${declaredText}, and its bytes are not clean Turkish in ${FALLBACK_CHARSETS.filter((c) => !p.declared || normalized(p.declared) !== c).join(', ')}`,
        );
        continue;
      }
      edits.push(...p.relabel(chosen.charset));
      const u = used.get(chosen.charset) ?? { declared: p.declared, where: [] };
      u.where.push(p.where);
      used.set(chosen.charset, u);
      text = chosen.text;
    }
    if (p.body && visibleText(text, p.body)) hasText = true;
  }
  let patched: Buffer | null = null;
  if (edits.length && !w.problems.length) {
    edits.sort((a, b) => b.start - a.start);
    const chunks: Buffer[] = [];
    let end = raw.length;
    for (const e of edits) {
      chunks.unshift(Buffer.from(e.text, 'latin1'), raw.subarray(e.end, end));
      end = e.start;
    }
    chunks.unshift(raw.subarray(0, end));
    patched = Buffer.concat(chunks);
  }
  const notes = [...used].map(([charset, u]) => `${u.where.join(', ')}: ${u.declared === null ? 'no charset declared' : `declared "${u.declared}"`}, decoded as ${charset}${opts.charset ? ' (chosen by an administrator)' : ' (fallback)'}`);
  return {
    problems: w.problems,
    patched,
    note: notes.length ? notes.join('; ').slice(0, 2000) : null,
    fallbackCharset: used.size ? [...used.keys()].join(', ').slice(0, 100) : null,
    hasText,
    sourceHasReplacement,
  };
}

/** Checks mailparser's result against what the raw mail holds: no U+FFFD it invented, no text lost. */
export function decodedProblems(inspection: MailInspection, decoded: { subject: string; text: string; html: string }): string[] {
  const problems: string[] = [];
  if (!inspection.sourceHasReplacement) {
    if (decoded.subject.includes(REPLACEMENT)) problems.push('the subject decoded with U+FFFD (undecodable bytes) that are not in the mail');
    if (decoded.text.includes(REPLACEMENT) || decoded.html.includes(REPLACEMENT)) problems.push('the text decoded with U+FFFD (undecodable bytes) that are not in the mail');
  }
  if (inspection.hasText && !decoded.text.trim()) problems.push('the mail has text, but it decoded to nothing');
  return problems;
}

import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { decodedProblems, inspectMail, isCleanTurkish, isKnownCharset } from '../decoding';

/** What mailparser tolerates silently, found before it parses (the e2e spec runs the same through Dovecot). */

const head = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
const b64word = (cs: string, bytes: Buffer) => `=?${cs}?B?${bytes.toString('base64')}?=`;

async function read(raw: Buffer) {
  const i = inspectMail(raw);
  const p = await simpleParser(i.patched ?? raw, { skipTextToHtml: true });
  return { i, p, after: decodedProblems(i, { subject: p.subject ?? '', text: p.text ?? '', html: typeof p.html === 'string' ? p.html : '' }) };
}

describe('inspectMail', () => {
  it('accepts ordinary mail untouched: UTF-8 split across encoded words, no charset on UTF-8, QP soft breaks, padded base64 chunks', async () => {
    const subject = Buffer.from('Şikâyet ğüşıöç', 'utf8');
    const raw = Buffer.concat([
      head([
        'From: a@musteri.test',
        `Subject: ${b64word('utf-8', subject.subarray(0, 1))} ${b64word('UTF-8', subject.subarray(1))}`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary=b1',
      ]),
      Buffer.from(
        [
          'önsöz',
          '--b1',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: quoted-printable',
          '',
          'Merhaba =C5=9Fikayet=',
          ' devam',
          '--b1',
          'Content-Type: text/html',
          'Content-Transfer-Encoding: base64',
          '',
          `${Buffer.from('<p>Işık</p>').toString('base64')}${Buffer.from('<p>ğ</p>').toString('base64')}`,
          '--b1--',
          '',
        ].join('\r\n'),
        'utf8',
      ),
    ]);
    const { i, p, after } = await read(raw);
    expect(i).toMatchObject({ problems: [], patched: null, note: null, fallbackCharset: null, hasText: true });
    expect(after).toEqual([]);
    expect(p.subject).toBe('Şikâyet ğüşıöç');
    expect(p.text).toContain('Merhaba şikayet devam');
  });

  it('reads an unknown charset on ASCII text as it is', () => {
    const i = inspectMail(Buffer.concat([head(['From: a@b.test', 'Content-Type: text/plain; charset=x-unknown']), Buffer.from('Merhaba\r\n')]));
    expect(i).toMatchObject({ problems: [], patched: null, note: null });
  });

  it('falls back to windows-1254 for Turkish bytes labelled UTF-8 (curly quotes are not in ISO-8859-9)', async () => {
    const text = '“Çağrı” merkezi — şikâyetim var';
    const raw = Buffer.concat([head(['From: a@b.test', 'Subject: x', 'Content-Type: text/plain; charset=utf-8']), iconv.encode(text, 'windows-1254')]);
    const { i, p, after } = await read(raw);
    expect(i.problems).toEqual([]);
    expect(i.fallbackCharset).toBe('windows-1254');
    expect(i.note).toMatch(/declared "utf-8", decoded as windows-1254 \(fallback\)/);
    expect(p.text?.trim()).toBe(text);
    expect(after).toEqual([]);
  });

  it('falls back for text without a charset that is not UTF-8, and adds the label mailparser reads', async () => {
    const raw = Buffer.concat([head(['From: a@b.test', 'Subject: x']), iconv.encode('Iğdır ılık', 'iso-8859-9')]);
    const { i, p } = await read(raw);
    expect(i.fallbackCharset).toBe('iso-8859-9');
    expect(p.text?.trim()).toBe('Iğdır ılık');
  });

  it('reports what cannot be read: invalid quoted-printable and base64, a boundary that never appears, bytes that are not Turkish in any fallback', () => {
    const qp = inspectMail(Buffer.concat([head(['From: a@b.test', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable']), Buffer.from('a =ZZ b\r\n')]));
    expect(qp.problems).toEqual(['the body (text/plain) is not valid quoted-printable']);
    const b64 = inspectMail(Buffer.concat([head(['From: a@b.test', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64']), Buffer.from('JVBE%%%\r\n')]));
    expect(b64.problems).toEqual(['the body (application/pdf) is not valid base64']);
    const boundary = inspectMail(Buffer.concat([head(['From: a@b.test', 'Content-Type: multipart/mixed; boundary="x"']), Buffer.from('--y\r\n\r\nmetin\r\n--y--\r\n')]));
    expect(boundary.problems[0]).toMatch(/boundary "x", which never appears/);
    const ru = inspectMail(Buffer.concat([head(['From: a@b.test', 'Content-Type: text/plain; charset=x-unknown']), iconv.encode('Привет, мир', 'koi8-r')]));
    expect(ru.problems).toEqual(['the body (text/plain) has the charset "x-unknown", which is not known, and its bytes are not clean Turkish in utf-8, iso-8859-9, windows-1254']);
    expect(inspectMail(Buffer.concat([head(['From: a@b.test', 'Content-Type: text/plain; charset=x-unknown']), iconv.encode('Привет, мир', 'koi8-r')]), { charset: 'koi8-r' }).problems).toEqual([]);
  });

  it('after parsing: U+FFFD that is not in the source, or text that decoded to nothing, is a problem', () => {
    const i = inspectMail(Buffer.concat([head(['From: a@b.test', 'Content-Type: text/plain; charset=utf-8']), Buffer.from('Merhaba\r\n')]));
    expect(decodedProblems(i, { subject: 'a\uFFFDb', text: 'Merhaba', html: '' })).toEqual(['the subject decoded with U+FFFD (undecodable bytes) that are not in the mail']);
    expect(decodedProblems(i, { subject: 'a', text: ' ', html: '' })).toEqual(['the mail has text, but it decoded to nothing']);
    const legit = inspectMail(Buffer.concat([head(['From: a@b.test', 'Content-Type: text/plain; charset=utf-8']), Buffer.from('bozuk \uFFFD işaret\r\n')]));
    expect(decodedProblems(legit, { subject: 'a', text: 'bozuk \uFFFD işaret', html: '' })).toEqual([]);
  });
});

describe('charsets', () => {
  it('knows what mailparser decodes, not UTF-7 or made-up names', () => {
    for (const c of ['utf-8', 'UTF8', 'us-ascii', 'iso-8859-9', 'latin5', 'windows-1254', 'win-1254', 'cp1254', 'koi8-r', 'iso-2022-jp', 'ks_c_5601-1987']) expect([c, isKnownCharset(c)]).toEqual([c, true]);
    for (const c of ['x-unknown', 'no-such-charset', 'utf-7', 'unicode-1-1-utf-7', 'base64', '']) expect([c, isKnownCharset(c)]).toEqual([c, false]);
  });

  it('clean Turkish: Turkish letters, no other non-ASCII letters or controls', () => {
    expect(isCleanTurkish('Iğdır şubesi “şikâyet” — 5 €')).toBe(true);
    expect(isCleanTurkish('Merhaba')).toBe(false);
    expect(isCleanTurkish(iconv.decode(iconv.encode('Привет', 'koi8-r'), 'windows-1254'))).toBe(false);
    expect(isCleanTurkish(iconv.decode(Buffer.from('Привет', 'utf8'), 'windows-1254'))).toBe(false);
    expect(isCleanTurkish('ğ\u0085')).toBe(false);
  });
});

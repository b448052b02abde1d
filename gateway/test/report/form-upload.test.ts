import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CreditGatewayError } from '@credit-gateway/common';
import { uploadedFile } from '../../src/report/form-upload.js';

/** What a part's headers say: the parser keeps a file, reads a field, and skips the rest. */
const PART_HEADERS = {
  file: 'Content-Disposition: form-data; name="file"; filename="report.pdf"\r\nContent-Type: application/pdf\r\n',
  field: 'Content-Disposition: form-data; name="note"\r\n',
  noDisposition: 'Content-Type: application/pdf\r\n',
  noHeaders: '',
  attachment: 'Content-Disposition: attachment; filename="report.pdf"\r\n',
  crInName: 'Content-Disposition: form-data; name="a\rb"; filename="report.pdf"\r\n',
} as const;
type PartKind = keyof typeof PART_HEADERS;

function form(boundary: string, parts: readonly { kind: PartKind; payload: Buffer }[]): Buffer {
  return Buffer.concat([
    ...parts.flatMap(({ kind, payload }) => [
      Buffer.from(`--${boundary}\r\n${PART_HEADERS[kind]}\r\n`),
      payload,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
}

/** The outcome of a parse: the file, or the refusal's code and message. */
async function outcome(body: Buffer, boundary: string): Promise<Buffer | { code: unknown; message: string }> {
  try {
    return await uploadedFile(body, `multipart/form-data; boundary=${boundary}`);
  } catch (error) {
    expect(error).toBeInstanceOf(CreditGatewayError);
    const { message, extensions } = (error as CreditGatewayError).toJSON();
    return { code: extensions?.code, message };
  }
}

describe('a form upload taken apart', () => {
  it('answers every form with a part the parser skips, however large, with a coded refusal', async () => {
    for (const kind of ['noDisposition', 'noHeaders', 'attachment', 'crInName'] as const) {
      for (const bytes of [1_000, 20_000, 4 * 1024 * 1024 - 100]) {
        const body = form('B', [{ kind, payload: Buffer.alloc(bytes, 'x') }]);
        expect(await outcome(body, 'B')).toEqual({
          code: 'BAD_REQUEST',
          message: 'A form upload holds exactly one file, the report; this one holds none',
        });
      }
    }
  }, 60_000);

  it('finds the one file beside skipped parts and fields, and refuses a second', async () => {
    const report = Buffer.alloc(100_000, 'r');
    const skipped = { kind: 'noDisposition' as const, payload: Buffer.alloc(70_000, 's') };
    const field = { kind: 'field' as const, payload: Buffer.alloc(30_000, 'f') };
    const file = { kind: 'file' as const, payload: report };
    expect(await outcome(form('B', [skipped, field, file, skipped]), 'B')).toEqual(report);
    expect(await outcome(form('B', [file, skipped, file]), 'B')).toEqual({
      code: 'BAD_REQUEST',
      message: 'A form upload holds exactly one file, the report; this one holds 2',
    });
  }, 60_000);

  it('always settles, on a file or a coded refusal, whatever the form holds or wherever it is cut', async () => {
    const part = fc.record({
      kind: fc.constantFrom(...(Object.keys(PART_HEADERS) as PartKind[])),
      size: fc.integer({ min: 0, max: 64 * 1024 }),
      fill: fc.constantFrom('a', 'b', 'z'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/),
        fc.array(part, { maxLength: 6 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        async (boundary, parts, cut) => {
          const whole = form(
            boundary,
            parts.map(({ kind, size, fill }) => ({ kind, payload: Buffer.alloc(size, fill) })),
          );
          const body = cut === undefined ? whole : whole.subarray(0, Math.floor(whole.length * cut));
          const settled = await outcome(body, `"${boundary}"`);
          if (Buffer.isBuffer(settled)) {
            // A file is only ever the one file part, as it was sent.
            const files = parts.filter((p) => p.kind === 'file');
            expect(files).toHaveLength(1);
            expect(settled.equals(Buffer.alloc(files[0]!.size, files[0]!.fill))).toBe(true);
          } else {
            expect(settled).toMatchObject({ code: 'BAD_REQUEST' });
            // A whole form with exactly one file is never refused.
            if (cut === undefined) expect(parts.filter((p) => p.kind === 'file')).not.toHaveLength(1);
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});

/**
 * The one file of a multipart/form-data upload (a browser form, `curl -F file=@report.pdf`), taken
 * apart from a body already read whole within the upload limit. Parsing always ends: every part not
 * kept is drained, every way the parser can end or fail is answered, and a parser that still has
 * not finished once it stops taking the body is given up with BAD_REQUEST rather than waited for.
 */
import { Busboy } from '@fastify/busboy';
import { CreditGatewayError } from '@credit-gateway/common';

/** The body is handed to the parser in slices this long, each once it has taken the one before. */
const SLICE_BYTES = 16 * 1024;

/**
 * How long the parser may take no more of the body, or not finish once it has it all, before the
 * upload is refused as malformed. Parsing bytes already in memory takes microseconds a slice.
 */
export const FORM_STALL_MS = 1_000;

function notOneFile(found: string): CreditGatewayError {
  return new CreditGatewayError(
    'BAD_REQUEST',
    `A form upload holds exactly one file, the report; this one holds ${found}`,
    { extensions: { parameter: 'file' } },
  );
}

function malformed(): CreditGatewayError {
  return new CreditGatewayError('BAD_REQUEST', 'The form upload is not well-formed multipart');
}

/**
 * The bytes of the form's one file as sent, which are what is hashed, never the form around them;
 * refused with BAD_REQUEST when the form is malformed or holds no file or more than one.
 */
export function uploadedFile(body: Buffer, contentType: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let form: ReturnType<typeof Busboy>;
    try {
      form = Busboy({ headers: { 'content-type': contentType }, limits: { parts: 16, headerPairs: 16 } });
    } catch {
      return reject(new CreditGatewayError('BAD_REQUEST', 'The form upload has no usable multipart boundary'));
    }
    let settled = false;
    let stall: NodeJS.Timeout | undefined;
    const settle = (outcome: Buffer | CreditGatewayError) => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      // Whatever the parser still says is of no consequence, but an error must not go unheard.
      form.removeAllListeners();
      form.on('error', () => undefined);
      if (outcome instanceof CreditGatewayError) reject(outcome);
      else resolve(outcome);
    };
    const watch = () => {
      clearTimeout(stall);
      stall = setTimeout(() => settle(malformed()), FORM_STALL_MS);
    };

    let files = 0;
    const kept: Buffer[] = [];
    let keptEnded = false;
    form.on('file', (_field, stream) => {
      stream.on('error', () => settle(malformed()));
      // Only the first file is kept; any other is drained, so that the parser goes on to the end.
      if (++files > 1) return void stream.resume();
      stream.on('data', (chunk: Buffer) => kept.push(chunk));
      stream.once('end', () => (keptEnded = true));
    });
    form.on('partsLimit', () => settle(notOneFile('too many parts')));
    form.on('filesLimit', () => settle(notOneFile('too many files')));
    form.on('fieldsLimit', () => settle(notOneFile('too many fields')));
    form.on('error', () => settle(malformed()));
    form.on('finish', () => {
      if (files !== 1) return settle(notOneFile(files === 0 ? 'none' : `${files}`));
      // The file's end is told before the form's finish; a file cut short is no file.
      settle(keptEnded ? Buffer.concat(kept) : malformed());
    });

    // Handed over a slice at a time, each once the parser has taken the last: given the body in one
    // write, the parser waits on a part it skips without ever draining it, and never finishes.
    let offset = 0;
    const next = () => {
      if (settled) return;
      watch();
      try {
        if (offset >= body.length) return void form.end();
        const slice = body.subarray(offset, offset + SLICE_BYTES);
        offset += slice.length;
        form.write(slice, next);
      } catch {
        settle(malformed());
      }
    };
    next();
  });
}

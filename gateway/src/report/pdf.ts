/// <reference types="pdfkit" />
/**
 * The report as a PDF, set in Noto Sans SC, which ships with the product in an npm package
 * (@expo-google-fonts/noto-sans-sc, SIL Open Font License): no system font, nothing fetched. The
 * font is embedded as a subset of the glyphs the report uses; the QR code is a PNG of the public
 * verify URL.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { toBuffer as qrPng } from 'qrcode';
import type { ReportModel } from './model.js';
import { REPORT_TITLE, scopeText } from './text.js';

const require = createRequire(import.meta.url);
// pdfkit is CommonJS with `export =` types.
const PDFDocument = require('pdfkit') as new (options?: PDFKit.PDFDocumentOptions) => PDFKit.PDFDocument;

let fonts: { regular: Buffer; bold: Buffer } | undefined;

/** Read once, on the first report: about 10 MB each. */
function loadFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf')),
    bold: readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf')),
  };
  return fonts;
}

const MARGIN = 50;

export async function renderPdf(model: ReportModel): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const { header, subject } = model;
  const qr = await qrPng(header.verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 });
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `${REPORT_TITLE(model)} ${header.number}`,
      Subject: header.number,
      Keywords: `report-number:${header.number}`,
      Creator: 'credit-gateway',
      Producer: 'credit-gateway',
      CreationDate: new Date(header.issuedAt),
    },
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;

  doc.image(qr, doc.page.width - MARGIN - 90, MARGIN, { width: 90 });
  doc
    .font('bold')
    .fontSize(20)
    .text(REPORT_TITLE(model), MARGIN, MARGIN + 10, { width: width - 100 });
  doc.moveDown(0.5);
  doc.font('regular').fontSize(9).fillColor('#333');
  for (const line of [
    `报告编号：${header.number}`,
    `验证码：${header.verificationCode}`,
    `出具时间：${header.issuedAt}`,
    `查询机构：${header.issuer.client ?? '—'}（查询级别 ${header.issuer.tier}）`,
    `查询目的：${header.purpose ?? '—'}`,
    `报告范围：${scopeText(model.scope)}`,
    `核验地址：${header.verifyUrl}`,
  ])
    doc.text(line, MARGIN, undefined, { width: width - 100 });
  doc.y = Math.max(doc.y, MARGIN + 100);
  doc.moveDown(0.5);
  doc
    .fillColor('#000')
    .font('bold')
    .fontSize(13)
    .text(`${subject.name ?? '—'}`, MARGIN, undefined, { width });
  doc.font('regular').fontSize(10).text(`统一社会信用代码：${subject.code}`, { width });
  doc.moveDown(0.5);
  for (const notice of model.notices) {
    doc.fillColor('#b00').font('bold').fontSize(10).text(`注意：${notice}`, { width });
  }
  doc.fillColor('#000');

  model.sections.forEach((section, index) => {
    doc.moveDown(0.8);
    doc
      .font('bold')
      .fontSize(13)
      .text(`${index + 1}. ${section.title}`, MARGIN, undefined, { width });
    doc
      .moveTo(MARGIN, doc.y + 2)
      .lineTo(MARGIN + width, doc.y + 2)
      .strokeColor('#999')
      .stroke();
    doc.moveDown(0.4);
    for (const note of section.notes) doc.fillColor('#b00').font('regular').fontSize(9).text(`※ ${note}`, { width });
    doc.fillColor('#000');
    if (section.blocks.length === 0) doc.font('regular').fontSize(10).text(section.empty, { width });
    for (const block of section.blocks) {
      if (block.heading) doc.font('bold').fontSize(10).text(block.heading, MARGIN, undefined, { width });
      for (const [label, value] of block.fields) {
        doc
          .font('regular')
          .fontSize(9)
          .fillColor('#555')
          .text(`${label}：`, MARGIN + 10, undefined, {
            width: width - 10,
            continued: true,
          });
        doc.fillColor('#000').text(value);
      }
      doc.moveDown(0.4);
    }
  });
  doc.moveDown(1);
  doc
    .font('regular')
    .fontSize(8)
    .fillColor('#555')
    .text(
      '本报告由公共信用信息共享平台依据查询机构的查询级别和信用主体的授权生成，所载信息以出具时各来源部门的数据为准。' +
        '报告经平台签名。凭报告编号和验证码可在核验地址查明平台出具过具有本报告编号、主体、出具时间和范围的报告，请逐项核对；' +
        '上传本文件可查明其内容未经改动，任何改动都将使上传核验失败。',
      MARGIN,
      undefined,
      { width },
    );

  const range = doc.bufferedPageRange();
  for (let page = range.start; page < range.start + range.count; page++) {
    doc.switchToPage(page);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(8)
      .fillColor('#555')
      .text(`报告编号 ${header.number}    第 ${page + 1} 页 / 共 ${range.count} 页`, MARGIN, doc.page.height - 35, {
        width,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

/**
 * The report as one self-contained HTML page: every value escaped, the style inline, the QR code
 * an inline SVG; nothing loaded from anywhere.
 */
import { toString as qrText } from 'qrcode';
import type { Verdict } from './issued.js';
import type { ReportModel } from './model.js';
import type { ReportSection } from './sections.js';
import { REPORT_TITLE, scopeText } from './text.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

const STYLE = `body{font-family:"Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111}
header{display:flex;justify-content:space-between;gap:1rem}header svg{width:8rem;height:8rem;flex:none}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.15rem;border-bottom:1px solid #999;margin-top:1.6rem}h3{font-size:1rem;margin:.8rem 0 .2rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:0 0 .6rem 1rem;font-size:.9rem}dt{color:#555}dd{margin:0}
.meta{font-size:.85rem;color:#333;margin:0}.notice,.note{color:#b00}.note{font-size:.85rem}footer{font-size:.8rem;color:#555;margin-top:2rem}`;

export async function renderHtml(model: ReportModel): Promise<string> {
  const { header, subject } = model;
  const qr = await qrText(header.verifyUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  const e = escapeHtml;
  const meta = [
    ['报告编号', header.number],
    ['验证码', header.verificationCode],
    ['出具时间', header.issuedAt],
    ['查询机构', `${header.issuer.client ?? '—'}（查询级别 ${header.issuer.tier}）`],
    ['查询目的', header.purpose ?? '—'],
    ['报告范围', scopeText(model.scope)],
    ['核验地址', header.verifyUrl],
  ]
    .map(([label, value]) => `<p class="meta">${e(label!)}：<span>${e(value!)}</span></p>`)
    .join('\n');
  const sections = model.sections
    .map((section, index) => {
      const notes = section.notes.map((note) => `<p class="note">※ ${e(note)}</p>`).join('\n');
      const blocks =
        section.blocks.length === 0
          ? `<p>${e(section.empty)}</p>`
          : section.blocks
              .map(
                (block) =>
                  `${block.heading ? `<h3>${e(block.heading)}</h3>` : ''}<dl>${block.fields
                    .map(([label, value]) => `<dt>${e(label)}</dt><dd>${e(value)}</dd>`)
                    .join('')}</dl>`,
              )
              .join('\n');
      return `<section id="${e(section.id.toLowerCase())}"><h2>${index + 1}. ${e(section.title)}</h2>\n${notes}\n${blocks}</section>`;
    })
    .join('\n');
  const title = REPORT_TITLE(model);
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="report-number" content="${e(header.number)}">
<title>${e(title)} ${e(header.number)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><div><h1>${e(title)}</h1>
${meta}
</div>${qr}</header>
<h2>${e(subject.name ?? '—')}</h2>
<p>统一社会信用代码：${e(subject.code)}</p>
${model.notices.map((notice) => `<p class="notice">注意：${e(notice)}</p>`).join('\n')}
${sections}
<footer>本报告由公共信用信息共享平台依据查询机构的查询级别和信用主体的授权生成，所载信息以出具时各来源部门的数据为准。报告经平台签名。凭报告编号和验证码可在核验地址查明平台出具过具有本报告编号、主体、出具时间和范围的报告，请逐项核对；上传本文件可查明其内容未经改动，任何改动都将使上传核验失败。</footer>
</body>
</html>
`;
}

const REASONS: Record<string, string> = {
  NO_SUCH_REPORT: '没有与该报告编号和验证码相符的报告',
  DOCUMENT_NOT_ISSUED: '该文件不是平台出具的报告原件，或已被改动',
  SIGNATURE_INVALID: '报告的签名无法验证',
};

/** Where a verdict page sends a document: the upload's form, multipart as a browser sends it. */
const UPLOAD_FORM = `<form method="post" action="verify" enctype="multipart/form-data">
<p><label>上传报告文件（PDF 或 HTML）核验内容是否未经改动：<input type="file" name="file" accept=".pdf,.html,application/pdf,text/html" required></label></p>
<p><button type="submit">上传核验</button></p>
</form>`;

/**
 * The verdict as a page, for a verifier who scanned the QR code with a phone or uploaded the file:
 * the particulars to compare with the report in hand, never its contents. `by` says how it was
 * asked: a number and code prove only that such a report was issued, an upload that the file is it.
 */
export function renderVerdictHtml(verdict: Verdict, by: 'code' | 'document'): string {
  const e = escapeHtml;
  const { report } = verdict;
  const rows: [string, string][] = report
    ? [
        ['报告编号', report.number],
        ['主体名称', report.subject.name ?? '—（出具时未记录）'],
        ['统一社会信用代码', report.subject.code],
        ['出具时间', report.issuedAt],
        ['查询机构', `${report.issuer.client ?? '—'}（查询级别 ${report.issuer.tier}）`],
        ['报告类型', report.special ? '专项信用报告' : '公共信用信息报告'],
        [
          '报告范围',
          scopeText({
            sections: report.sections as ReportSection[],
            from: report.from,
            to: report.to,
            special: report.special,
          }),
        ],
        ['文件格式', report.format.toUpperCase()],
        ['文件 SHA-256', report.document.sha256],
        ['文件指纹（SHA-256 前 16 位）', report.document.fingerprint],
        ['签名', `Ed25519，密钥 ${report.signature.keyId}，有效`],
        ['同一查询机构是否已有更新的报告', report.superseded ? `是（${report.supersededAt ?? ''}）` : '否'],
        [
          '此后主体记录是否变化',
          report.recordsChangedSince === null
            ? '未知（同一查询机构尚无同范围、同授权的更新报告）'
            : report.recordsChangedSince
              ? '是'
              : '否',
        ],
      ]
    : [
        ['原因', REASONS[verdict.reason ?? ''] ?? verdict.reason ?? '—'],
        ...(verdict.claimedNumber ? ([['文件所称报告编号', verdict.claimedNumber]] as [string, string][]) : []),
      ];
  const heading = !verdict.authentic
    ? '未通过'
    : by === 'document'
      ? '真实有效，文件与平台出具的原件一致'
      : '编号和验证码有效，平台出具过具有下列要素的报告';
  const caution =
    report && by === 'code'
      ? `<p class="notice">报告编号和验证码只证明平台出具过具有下列要素的报告，不证明您手中报告的内容未被改动。请逐项核对主体名称、统一社会信用代码、出具时间、查询机构和报告范围；任何一项不符，即不是这份报告。要证明内容未被改动，请上传报告文件核验（其 SHA-256 应与下列一致）。</p>`
      : '';
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>信用报告核验</title>
<style>${STYLE}</style></head>
<body>
<h1>信用报告核验：${e(heading)}</h1>
${caution}
<dl>${rows.map(([label, value]) => `<dt>${e(label)}</dt><dd>${e(value)}</dd>`).join('')}</dl>
${by === 'code' || !verdict.authentic ? UPLOAD_FORM : ''}
<footer>核验只显示报告的出具要素，不显示报告内容。上传核验比对的是文件逐字节的 SHA-256：原样保存的文件才能通过，打印件请核对上列要素。</footer>
</body>
</html>
`;
}

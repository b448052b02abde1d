/**
 * The report as one self-contained HTML page: every value escaped, the style inline, the QR code
 * an inline SVG; nothing loaded from anywhere.
 */
import { toString as qrText } from 'qrcode';
import type { ReportModel } from './model.js';
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
          ? '<p>无记录</p>'
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
<footer>本报告由公共信用信息共享平台依据查询机构的查询级别和信用主体的授权生成，所载信息以出具时各来源部门的数据为准。报告经平台签名，可凭报告编号和验证码或上传本文件在核验地址查验真伪；任何改动都将使查验失败。</footer>
</body>
</html>
`;
}

import { orderedResultNames, RESULT_CATALOG, resultInfo, type Results, type Row } from './catalog.ts';
import { renderChart } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { columnsOf, formatCell, isNumeric } from './format.ts';
import { formatGrouped } from './scale.ts';
import { REPORT_CSS } from './style.ts';

export interface ReportMeta {
  /** The batch run's date (YYYY-MM-DD), shown in the title. */
  runDate?: string;
  /** When the report was written (ISO); passed in so the output is reproducible. */
  generatedAt?: string;
  /** Where the results were read from. */
  source?: string;
  profile?: string;
  /** The batch's summary.json, shown as a small table when present. */
  summary?: unknown;
}

function cell(value: unknown, column = ''): string {
  if (value === null || value === undefined) return '<td class="null">NULL</td>';
  if (typeof value === 'number' && Number.isFinite(value)) {
    // years stay as written (2018, not 2,018)
    const shown = /year/i.test(column) ? String(value) : formatGrouped(value);
    return `<td class="num">${escapeHtml(shown)}</td>`;
  }
  if (isNumeric(value)) return `<td class="num">${escapeHtml(formatCell(value))}</td>`;
  return `<td>${escapeHtml(formatCell(value))}</td>`;
}

export function renderHtmlTable(result: string, rows: Row[], columns: string[]): string {
  const numeric = (c: string) => rows.some((r) => isNumeric(r[c]));
  const head = columns
    .map((c) => `<th scope="col"${numeric(c) ? ' class="num"' : ''}>${escapeHtml(c)}</th>`)
    .join('');
  const body = rows.map((r) => `<tr>${columns.map((c) => cell(r[c], c)).join('')}</tr>`).join('\n');
  const empty =
    rows.length === 0 ? `<tr><td class="no-rows" colspan="${columns.length || 1}">no rows</td></tr>` : '';
  return (
    `<div class="table-wrap"><table class="result-table" data-result="${escapeHtml(result)}" data-rows="${rows.length}">` +
    `<thead><tr>${head}</tr></thead><tbody>${body}${empty}</tbody></table></div>`
  );
}

function section(name: string, results: Results): string {
  const info = resultInfo(name);
  const present = name in results;
  const rows = results[name] ?? [];
  const heading = info ? `${escapeHtml(info.task)}. ${escapeHtml(info.title)}` : escapeHtml(name);
  const parts = [
    `<section class="result" id="${escapeHtml(name)}" data-result="${escapeHtml(name)}">`,
    `<h2>${heading}</h2>`,
    `<p class="result-meta"><code>${escapeHtml(name)}</code> · ${rows.length} row${rows.length === 1 ? '' : 's'}</p>`,
  ];
  if (info?.note) parts.push(`<p class="note">${escapeHtml(info.note)}</p>`);
  if (!present) {
    parts.push(
      `<p class="missing" data-result="${escapeHtml(name)}">Missing: the batch wrote no ${escapeHtml(name)}.json. ` +
        `Run <code>pinpipe batch</code> again and check its log.</p>`,
      '</section>',
    );
    return parts.join('\n');
  }
  const chart = renderChart(name, results);
  if (chart) parts.push(`<figure class="chart-box">${chart}</figure>`);
  parts.push(renderHtmlTable(name, rows, columnsOf(rows, info?.columns ?? [])), '</section>');
  return parts.join('\n');
}

/** Summary fields not worth a line in the report (paths, samples, the per-result counts shown above). */
const SUMMARY_SKIP = /^(outDir|duckdbPath|parquet|results|generatedAt|runDate)(\.|$)|\.samples$/;

function summaryBlock(summary: unknown): string {
  if (summary === undefined || summary === null) return '';
  const flat: Array<[string, unknown]> = [];
  const walk = (prefix: string, v: unknown) => {
    if (SUMMARY_SKIP.test(prefix)) return;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, child);
    } else if (!Array.isArray(v)) flat.push([prefix || 'summary', v]);
  };
  walk('', summary);
  const rows = flat
    .slice(0, 80)
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th>${cell(v, k)}</tr>`)
    .join('');
  return `<details class="summary"><summary>Batch summary (summary.json)</summary><table>${rows}</table></details>`;
}

/**
 * The report: one static, self-contained HTML page (inline CSS and SVG, no script, nothing fetched
 * at view time) with every result as a chart and a table. The results are those of docs/spec.md#results.
 */
export function renderReportHtml(results: Results, meta: ReportMeta = {}): string {
  const names = [...new Set([...RESULT_CATALOG.map((r) => r.name), ...orderedResultNames(results)])];
  const title = `pinpipe report${meta.runDate ? ` — ${meta.runDate}` : ''}`;
  const facts = [
    meta.runDate ? `run date <strong>${escapeHtml(meta.runDate)}</strong>` : '',
    meta.profile ? `profile <strong>${escapeHtml(meta.profile)}</strong>` : '',
    meta.generatedAt ? `generated ${escapeHtml(meta.generatedAt)}` : '',
    meta.source ? `from <code>${escapeHtml(meta.source)}</code>` : '',
  ].filter(Boolean);
  const toc = names
    .map((n) => {
      const info = resultInfo(n);
      const rows = results[n];
      const count = rows ? `${rows.length}` : 'missing';
      return `<li><a href="#${escapeHtml(n)}">${info ? `${escapeHtml(info.task)}. ` : ''}${escapeHtml(n)}</a> <span class="count">${count}</span></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="lede">The analytics of the Pinterest data pipeline (tasks 4–11 of the original), computed by <code>pinpipe batch</code> from the cleaned pin, geo and user tables.</p>
<p class="facts">${facts.join(' · ')}</p>
${summaryBlock(meta.summary)}
<nav><ul class="toc">
${toc}
</ul></nav>
</header>
<main>
${names.map((n) => section(n, results)).join('\n')}
</main>
<footer>Written by <code>pinpipe report</code>. Self-contained: no scripts, fonts or network requests.</footer>
</body>
</html>
`;
}

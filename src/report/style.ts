/** The report's inline stylesheet (system fonts only: nothing is fetched at view time). */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6576; --line: #e3e6ec; --accent: #e60023; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f6f7f9; }
header, main, footer { max-width: 960px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { margin: 0 0 6px; font-size: 26px; }
h1::before { content: ""; display: inline-block; width: 14px; height: 14px; border-radius: 50%; background: var(--accent); margin-right: 10px; vertical-align: 2px; }
h2 { margin: 0 0 2px; font-size: 18px; }
.lede, .facts, .result-meta, .note { color: var(--muted); margin: 4px 0; }
code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; background: #eef0f4; padding: 1px 4px; border-radius: 3px; }
.toc { columns: 2; list-style: none; padding-left: 0; margin: 12px 0 4px; }
.toc .count { color: var(--muted); font-size: 12px; }
.summary { margin: 8px 0; }
.summary table { border-collapse: collapse; margin-top: 6px; }
.summary th, .summary td { text-align: left; padding: 2px 12px 2px 0; font-weight: normal; }
.result { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 18px 0; }
.chart-box { margin: 12px 0; overflow-x: auto; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: system-ui, "DejaVu Sans", sans-serif; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart text { fill: var(--ink); }
svg.chart .axis text, svg.chart .detail, svg.chart .axis-name { fill: var(--muted); }
svg.chart .axis-name { font-style: italic; }
svg.chart .value { font-variant-numeric: tabular-nums; }
svg.chart rect.mark:hover, svg.chart circle.mark:hover { opacity: .8; }
.table-wrap { max-height: 360px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table.result-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.result-table th { position: sticky; top: 0; background: #f0f2f5; text-align: left; font-weight: 600; }
table.result-table th, table.result-table td { padding: 4px 10px; border-bottom: 1px solid var(--line); }
table.result-table td.num, table.result-table th.num { text-align: right; }
td.null { color: #9aa3b2; font-style: italic; }
.no-rows, .missing { padding: 14px; border-radius: 6px; background: #fff8e6; border: 1px solid #f3dfa5; color: #6b5a1e; }
.missing { background: #fdecee; border-color: #f5b8c0; color: #7a1c28; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 32px; }
`;

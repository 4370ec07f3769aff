export {
  RESULT_CATALOG,
  RESULT_NAMES,
  resultInfo,
  type Results,
  type Row,
  type ResultInfo,
} from './catalog.ts';
export { renderTable, renderResults } from './console-table.ts';
export { renderReportHtml, type ReportMeta } from './html.ts';
export { readResults, type ResultsFolder } from './read-results.ts';
export { latestResultsDir, resultsRoot } from './locate.ts';
export { writeReport, reportKey, type WriteReportOptions, type WrittenReport } from './write-report.ts';
export { escapeHtml } from './escape.ts';

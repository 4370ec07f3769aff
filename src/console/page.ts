import { escapeHtml } from '../report/index.ts';
import { STAGE_IDS } from './stages.ts';

/**
 * The console's one page. Static markup only: app.js (served by the console itself) fills it
 * from the JSON endpoints and the live event stream. Nothing is fetched from outside the machine.
 */
export function indexHtml(profile: string): string {
  const stages = STAGE_IDS.map(
    (id) =>
      `<li class="stage unknown" data-stage="${id}"><h3></h3><div class="figures"></div><svg class="spark" viewBox="0 0 120 24" preserveAspectRatio="none" aria-hidden="true"><polyline points=""></polyline></svg><p class="down"></p></li>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>pinpipe console — ${escapeHtml(profile)}</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="data:,">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header>
<h1>pinpipe console <small>profile <strong>${escapeHtml(profile)}</strong></small></h1>
<p id="live" class="live off">connecting…</p>
</header>
<p id="notice" role="alert" hidden></p>
<main>
<section id="pipeline" aria-label="Pipeline">
<h2>Pipeline</h2>
<ol class="stages">
${stages}
</ol>
<p id="verdict" class="verdict pending">Reconciliation: computing…</p>
<div id="actions">
<form id="emulate"><label>posts <input name="count" type="number" min="1" max="100000" value="100" required></label> <button type="submit">Emulate</button></form>
<button type="button" id="run-batch">Run the batch</button>
<p id="job" hidden><span class="what"></span> <progress max="1" value="0"></progress></p>
</div>
<table id="topics" class="grid">
<thead><tr><th>topic</th><th class="num">records (Kafka)</th><th class="num">sink lag</th><th>lag per partition</th><th class="num">S3 objects</th><th class="num">S3 bytes</th><th class="num">emulated</th></tr></thead>
<tbody></tbody>
</table>
</section>
<section id="topic-view" aria-label="Topic browser" hidden>
<h2>Topic <code id="topic-name"></code></h2>
<table id="partitions" class="grid"><thead><tr><th>partition</th><th class="num">low</th><th class="num">high</th><th></th></tr></thead><tbody></tbody></table>
<form id="jump"><label>partition <input name="partition" type="number" min="0" value="0" required></label>
<label>offset <input name="offset" type="number" min="0" required></label> <button type="submit">Jump</button>
<button type="button" id="older" hidden>Older</button> <button type="button" id="newest">Newest</button></form>
<form id="find"><label>find post <input name="ind" type="number" min="0" required placeholder="ind"></label> <button type="submit">Find</button></form>
<p id="records-caption"></p>
<ol id="records"></ol>
</section>
<section id="s3" aria-label="S3 browser">
<h2>S3 <code id="s3-where"></code></h2>
<p class="shortcuts"></p>
<ul id="s3-list"></ul>
<pre id="s3-preview" hidden></pre>
</section>
<section id="quarantine" aria-label="Quarantine">
<h2>Quarantine of the last batch</h2>
<p id="quarantine-caption">No batch has run yet: <code>pinpipe batch</code>.</p>
<table id="quarantine-lines" class="grid" hidden><thead><tr><th>reason</th><th>object</th><th class="num">line</th><th class="num">offset</th><th>the line</th></tr></thead><tbody></tbody></table>
</section>
<section id="results" aria-label="Batch results">
<h2>Batch results</h2>
<p id="results-none">No batch has run yet: <code>pinpipe batch</code>.</p>
<iframe id="results-frame" title="Batch results" hidden></iframe>
</section>
</main>
</body>
</html>
`;
}

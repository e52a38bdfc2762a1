import type { PageAssets } from './server.js';

// The page's script and styles, put here by the build (esbuild.config.mjs bundles src/web/page/ first).
declare const __PAR_WEB_JS__: string | undefined;
declare const __PAR_WEB_CSS__: string | undefined;

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light">
<title>par</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
`;

/** The page as built into par; outside a build (par run from its sources) there is none. */
export function pageAssets(): PageAssets {
  if (typeof __PAR_WEB_JS__ !== 'string' || typeof __PAR_WEB_CSS__ !== 'string') throw new Error('The web page is built into par by npm run build; run the built par (dist/cli.js).');
  return { html: HTML, js: __PAR_WEB_JS__, css: __PAR_WEB_CSS__ };
}

/**
 * Stands in for `linkedom` in the browser build (see vite.config.ts). The seq2seq heatmap draws with
 * Observable Plot on linkedom's server-side DOM; a page has a real DOM, so `parseHTML` returns a fresh
 * document of the page's own implementation, and linkedom (whose CSS parser is CommonJS) stays out.
 */
export function parseHTML(html: string): { document: Document; window: Window } {
  const document = window.document.implementation.createHTMLDocument('');
  document.documentElement.innerHTML = html
    .replace(/^<!doctype html>/i, '')
    .replace(/^<html>|<\/html>$/g, '');
  return { document, window };
}

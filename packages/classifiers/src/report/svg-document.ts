import { parseHTML } from 'linkedom';

/**
 * A DOM document for rendering Observable Plot charts outside a browser (linkedom), and the serializer
 * that turns a chart into a standalone SVG file.
 */
export function plotDocument(): Document {
  return parseHTML('<!DOCTYPE html><html><body></body></html>').document as unknown as Document;
}

const TITLE_HEIGHT = 26;

/**
 * The markup of a Plot chart (an `<svg>`, made without Plot's `title`, which would wrap it in an HTML
 * `<figure>`) as a standalone `.svg` file, with `title` drawn in a band added above it. Plot leaves out
 * the SVG namespace (implied inline in HTML) and draws with `currentColor`; both are pinned here.
 */
export function svgFile(chart: Element, title?: string): string {
  const doc = chart.ownerDocument;
  chart.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  chart.setAttribute('style', 'background: white; color: black;');
  if (title !== undefined) {
    const [x0, y0, w, h] = (chart.getAttribute('viewBox') ?? '').split(' ').map(Number) as [
      number,
      number,
      number,
      number,
    ];
    chart.setAttribute('viewBox', `${x0} ${y0 - TITLE_HEIGHT} ${w} ${h + TITLE_HEIGHT}`);
    chart.setAttribute('height', String(h + TITLE_HEIGHT));
    const text = doc.createElementNS('http://www.w3.org/2000/svg', 'text');
    text.setAttribute('x', String(x0 + w / 2));
    text.setAttribute('y', String(y0 - TITLE_HEIGHT / 2 + 5));
    text.setAttribute('font-size', '13');
    text.setAttribute('font-weight', 'bold');
    text.textContent = title;
    chart.appendChild(text);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${chart.outerHTML}\n`;
}

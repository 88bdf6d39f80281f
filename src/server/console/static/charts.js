// Small SVG charts drawn by hand: a few dozen points do not need a charting library.
const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 140;
const PAD = { left: 44, right: 8, top: 10, bottom: 18 };

function svg(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function text(x, y, value, anchor = 'start') {
  const t = svg('text', { x, y, 'text-anchor': anchor });
  t.textContent = value;
  return t;
}

/**
 * A line chart of one or more series over the same buckets.
 * lines: [{ values: number[], cls: 'errors'? }], labels: [first, last], format: y-axis label.
 */
export function lineChart({ lines, labels, format = String, title }) {
  const root = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none',
    role: 'img',
  });
  if (title) root.setAttribute('aria-label', title);
  const n = Math.max(...lines.map((l) => l.values.length), 1);
  const max = Math.max(1e-9, ...lines.flatMap((l) => l.values));
  const x = (i) => PAD.left + (n === 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  root.append(
    svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), stroke: '#e3e6eb' }),
  );
  root.append(text(PAD.left - 4, y(max) + 4, format(max), 'end'));
  root.append(text(PAD.left - 4, y(0), format(0), 'end'));
  lines.forEach((line, k) => {
    const points = line.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    if (k === 0 && points.length > 0) {
      const area = `M${x(0)},${y(0)} L${points.join(' L')} L${x(line.values.length - 1)},${y(0)} Z`;
      root.append(svg('path', { d: area, class: 'area' }));
    }
    root.append(svg('polyline', { points: points.join(' '), class: `line ${line.cls ?? ''}` }));
  });
  if (labels) {
    root.append(text(PAD.left, H - 4, labels[0]));
    root.append(text(W - PAD.right, H - 4, labels[1], 'end'));
  }
  return root;
}

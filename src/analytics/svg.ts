/**
 * Tiny inline-SVG charts for the analytics page: no library, no CDN, nothing fetched, so the
 * page opens anywhere (an air-gapped laptop, an e-mail attachment) and is safe to archive.
 * Every text that reaches the markup goes through {@link escapeXml}.
 */

export interface Bar {
  label: string;
  value: number;
  /** Text after the bar; defaults to the value. */
  note?: string;
}

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const COLORS = ['#2b6cb0', '#38a169', '#d69e2e', '#e53e3e', '#805ad5', '#319795', '#dd6b20'];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Horizontal bars, one per row, scaled to the largest value. */
export function horizontalBars(bars: Bar[], options: { width?: number; labelWidth?: number; color?: string } = {}): string {
  const width = options.width ?? 640;
  const labelWidth = options.labelWidth ?? 220;
  const row = 26;
  const height = Math.max(row, bars.length * row) + 4;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const room = width - labelWidth - 90;
  const rows = bars.map((bar, i) => {
    const y = i * row + 4;
    const w = Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * room);
    const color = options.color ?? COLORS[i % COLORS.length];
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" ${FONT}>${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${row - 8}" rx="3" fill="${color}"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}" ${FONT}>${escapeXml(bar.note ?? String(bar.value))}</text>`,
    ].join('');
  });
  return svg(width, height, rows.join('\n'), 'bar chart');
}

/** Vertical bars for a small distribution (ratings). */
export function columns(bars: Bar[], options: { width?: number; height?: number } = {}): string {
  const width = options.width ?? 360;
  const height = options.height ?? 180;
  const bottom = height - 24;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = width / Math.max(1, bars.length);
  const parts = bars.map((bar, i) => {
    const h = (bar.value / max) * (bottom - 20);
    const x = i * slot + slot * 0.2;
    return [
      `<rect x="${x.toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${(slot * 0.6).toFixed(1)}" height="${h.toFixed(1)}" rx="3" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${(x + slot * 0.3).toFixed(1)}" y="${(bottom - h - 4).toFixed(1)}" text-anchor="middle" ${FONT}>${escapeXml(bar.note ?? String(bar.value))}</text>`,
      `<text x="${(x + slot * 0.3).toFixed(1)}" y="${height - 6}" text-anchor="middle" ${FONT}>${escapeXml(bar.label)}</text>`,
    ].join('');
  });
  return svg(width, height, parts.join('\n'), 'column chart');
}

/** One bar split into parts (e.g. helpful vs not helpful), with a legend. */
export function stackedBar(parts: Bar[], options: { width?: number } = {}): string {
  const width = options.width ?? 640;
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  let x = 0;
  const segments = parts.map((part, i) => {
    const w = total > 0 ? (part.value / total) * width : 0;
    const rect = `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="28" fill="${COLORS[(i + 1) % COLORS.length]}"/>`;
    const legend = `<rect x="${i * 200}" y="40" width="12" height="12" fill="${COLORS[(i + 1) % COLORS.length]}"/><text x="${i * 200 + 18}" y="51" ${FONT}>${escapeXml(`${part.label}: ${part.note ?? part.value}`)}</text>`;
    x += w;
    return rect + legend;
  });
  return svg(width, 60, segments.join('\n'), 'stacked bar');
}

/** Lines over days (one series per entry), with dots and first/last date labels. */
export function lineChart(dates: string[], series: { name: string; values: number[] }[], options: { width?: number; height?: number } = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 200;
  const left = 40;
  const bottom = height - 40;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const step = dates.length > 1 ? (width - left - 20) / (dates.length - 1) : 0;
  const point = (i: number, v: number): string => `${(left + i * step).toFixed(1)},${(bottom - (v / max) * (bottom - 10)).toFixed(1)}`;
  const lines = series.map((s, k) => {
    const color = COLORS[k % COLORS.length];
    const dots = s.values.map((v, i) => `<circle cx="${point(i, v).split(',')[0]}" cy="${point(i, v).split(',')[1]}" r="3" fill="${color}"/>`).join('');
    const legend = `<rect x="${left + k * 160}" y="${height - 16}" width="12" height="12" fill="${color}"/><text x="${left + k * 160 + 18}" y="${height - 6}" ${FONT}>${escapeXml(s.name)}</text>`;
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.values.map((v, i) => point(i, v)).join(' ')}"/>${dots}${legend}`;
  });
  const axis = [
    `<line x1="${left}" y1="${bottom}" x2="${width - 10}" y2="${bottom}" stroke="#999"/>`,
    `<text x="${left - 6}" y="${bottom}" text-anchor="end" ${FONT}>0</text>`,
    `<text x="${left - 6}" y="16" text-anchor="end" ${FONT}>${max}</text>`,
    dates.length ? `<text x="${left}" y="${bottom + 16}" ${FONT}>${escapeXml(dates[0] as string)}</text>` : '',
    dates.length > 1 ? `<text x="${width - 10}" y="${bottom + 16}" text-anchor="end" ${FONT}>${escapeXml(dates[dates.length - 1] as string)}</text>` : '',
  ];
  return svg(width, height, [...axis, ...lines].join('\n'), 'line chart');
}

function svg(width: number, height: number, body: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${label}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${body}\n</svg>`;
}

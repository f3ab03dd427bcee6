import { useId } from 'react';

export interface Bar {
  label: string;
  value: number | null;
  /** Shown after the bar instead of the number (e.g. "0.42 (n = 310)"). */
  text?: string;
  /** Bars outside the acceptable band are drawn in the alert colour and marked in the text. */
  alert?: boolean;
}

export interface Band {
  from: number;
  to: number;
  label: string;
}

const rowHeight = 28;
const labelWidth = 140;
const valueWidth = 120;
const plotWidth = 360;

/**
 * Horizontal bars, one per label, on a 0…max scale, with an optional shaded band (the acceptable
 * range a threshold allows). Accessible: an SVG <title> and <desc>, and every value is written as
 * text beside its bar, so nothing is told by colour alone.
 */
export function BarChart({
  title,
  description,
  bars,
  max,
  band,
}: {
  title: string;
  description: string;
  bars: readonly Bar[];
  max?: number;
  band?: Band;
}) {
  const id = useId();
  const largest = Math.max(max ?? 0, band?.to ?? 0, ...bars.map((bar) => bar.value ?? 0));
  const scale = largest > 0 ? plotWidth / largest : 0;
  const height = bars.length * rowHeight + 24;
  const width = labelWidth + plotWidth + valueWidth;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {band ? (
          <g className="chart-band">
            <rect
              x={labelWidth + band.from * scale}
              y={0}
              width={Math.max(1, (Math.min(band.to, largest) - band.from) * scale)}
              height={bars.length * rowHeight}
            />
            <text
              x={labelWidth + band.from * scale + 2}
              y={bars.length * rowHeight + 16}
              className="chart-axis"
            >
              {band.label}
            </text>
          </g>
        ) : null}
        {bars.map((bar, index) => {
          const y = index * rowHeight;
          const length = bar.value === null ? 0 : Math.max(1, bar.value * scale);
          return (
            <g key={bar.label} className={bar.alert ? 'chart-bar chart-bar-alert' : 'chart-bar'}>
              <text x={labelWidth - 6} y={y + 18} textAnchor="end" className="chart-label">
                {bar.label}
              </text>
              <rect x={labelWidth} y={y + 6} width={length} height={rowHeight - 12} rx={2} />
              <text x={labelWidth + length + 6} y={y + 18} className="chart-value">
                {(bar.text ?? (bar.value === null ? 'undefined' : formatValue(bar.value))) +
                  (bar.alert ? ' ⚠' : '')}
              </text>
            </g>
          );
        })}
        <line
          x1={labelWidth}
          x2={labelWidth}
          y1={0}
          y2={bars.length * rowHeight}
          className="chart-axis-line"
        />
      </svg>
    </figure>
  );
}

export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) < 1e-4 && value !== 0 ? value.toExponential(2) : value.toFixed(3);
}

import { useId } from 'react';
import { trafficSplit } from './runtime';

const width = 480;
const height = 36;

/**
 * The model's traffic as one bar split between the stable (production) version and a canary, with
 * each share written out so nothing is told by colour alone.
 */
export function TrafficSplit({ serve, production }: { serve: Record<string, number>; production: string }) {
  const id = useId();
  const parts = trafficSplit({ serve }, production);
  const words = parts.map((p) => `v${p.version} (${p.role}) ${p.weight}%`).join(', ');
  let x = 0;
  return (
    <figure className="chart traffic-split">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>Traffic split</title>
        <desc id={`${id}-desc`}>{words}</desc>
        {parts.map((part) => {
          const w = (part.weight / 100) * width;
          const rect = (
            <g key={part.version} className={`traffic-${part.role}`}>
              <rect x={x} y={4} width={w} height={height - 8} rx={2} />
              {w > 90 ? (
                <text x={x + 6} y={height / 2 + 4} className="traffic-label">
                  v{part.version} {part.role} {part.weight}%
                </text>
              ) : null}
            </g>
          );
          x += w;
          return rect;
        })}
      </svg>
      <figcaption className="small">{words}</figcaption>
    </figure>
  );
}

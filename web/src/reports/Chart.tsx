import { Loader } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type uPlotType from 'uplot';

// uPlot (and its CSS) load with the first chart, in their own chunk: the app's first load does not carry them.
let loading: Promise<typeof uPlotType> | undefined;
function loadUplot(): Promise<typeof uPlotType> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  return loading;
}

/** A bar chart of labelled values; clicking a bar calls `onPick` with its index. */
export function BarChart({ labels, values, label, onPick, height = 180, format = String }: { labels: string[]; values: (number | null)[]; label: string; onPick: (index: number) => void; height?: number; format?: (v: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    let chart: uPlotType | undefined;
    let cancelled = false;
    const observer = new ResizeObserver(() => chart?.setSize({ width: box.current?.clientWidth ?? 300, height }));
    void loadUplot().then((uPlot) => {
      if (cancelled || !box.current) return;
      const xs = labels.map((_, i) => i);
      chart = new uPlot(
        {
          width: box.current.clientWidth || 300,
          height,
          legend: { show: false },
          cursor: { points: { show: false }, drag: { x: false, y: false } },
          // Bars start at zero (a scale from the smallest bar makes a small difference look large).
          scales: { x: { time: false, range: [-0.5, Math.max(labels.length - 0.5, 0.5)] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
          // The value axis in the metric's unit (seconds as minutes, hours or days), as the numbers beneath say them.
          axes: [{ values: (_u, ticks) => ticks.map((t) => labels[t] ?? '') }, { size: 60, values: (_u, ticks) => ticks.map((t) => format(t)) }],
          series: [{}, { label, fill: 'rgba(34, 139, 230, 0.6)', stroke: 'rgb(34, 139, 230)', paths: uPlot.paths.bars?.({ size: [0.7, 60] }), points: { show: false } }],
        },
        [xs, values],
        box.current,
      );
      chart.over.addEventListener('click', () => {
        const i = chart?.cursor.idx;
        if (i !== null && i !== undefined) pick.current(i);
      });
      if (box.current) observer.observe(box.current);
      setReady(true);
    });
    return () => {
      cancelled = true;
      observer.disconnect();
      chart?.destroy();
    };
  }, [labels, values, label, height, format]);

  return (
    <div ref={box} data-testid={`chart-${label}`} style={{ width: '100%', minHeight: height, cursor: 'pointer' }} aria-hidden="true">
      {!ready && <Loader size="sm" />}
    </div>
  );
}

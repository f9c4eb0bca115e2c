/** One line of a diff: kept, added or removed. */
export type DiffLine = { op: '=' | '+' | '-'; text: string };

const MAX_CELLS = 4_000_000;

/**
 * A line diff of two texts (longest common subsequence). Past ~4 million line pairs (two 2,000-line articles) it
 * says "everything removed, everything added" instead of spending the memory.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Common head and tail first: most edits touch a few lines.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: '=', text }));
  if ((x.length + 1) * (y.length + 1) > MAX_CELLS) {
    out.push(...x.map((text) => ({ op: '-' as const, text })), ...y.map((text) => ({ op: '+' as const, text })));
  } else {
    const w = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * w);
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lcs[i * w + j] = x[i] === y[j] ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        out.push({ op: '=', text: x[i] as string });
        i++;
        j++;
      } else if (j < y.length && (i === x.length || (lcs[i * w + j + 1] ?? 0) >= (lcs[(i + 1) * w + j] ?? 0))) {
        out.push({ op: '+', text: y[j] as string });
        j++;
      } else {
        out.push({ op: '-', text: x[i] as string });
        i++;
      }
    }
  }
  out.push(...a.slice(a.length - tail).map((text) => ({ op: '=' as const, text })));
  return out;
}

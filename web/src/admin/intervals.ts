/** "09:00-12:00, 13:00-17:00" ⇄ intervals. */
export const parseIntervals = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [start = '', end = ''] = x.split('-').map((y) => y.trim());
      return { start, end };
    });
export const showIntervals = (ivs: { start: string; end: string }[] | undefined) => (ivs ?? []).map((i) => `${i.start}-${i.end}`).join(', ');

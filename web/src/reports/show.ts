/** A number as a person reads it: durations in s / min / h / d, percentages with %, counts as they are. */
export function show(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return '—';
  if (unit === 'seconds') {
    if (value < 120) return `${Math.round(value)} s`;
    if (value < 7200) return `${Math.round(value / 60)} min`;
    if (value < 172_800) return `${(value / 3600).toFixed(1)} h`;
    return `${(value / 86_400).toFixed(1)} d`;
  }
  // Rounded to a tenth: a difference of two shares is a float (85.9 − 100 = −14.099999999999994).
  if (unit === 'percent') return `${Math.round(value * 10) / 10} %`;
  return String(Math.round(value * 100) / 100);
}

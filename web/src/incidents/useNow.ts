import { useEffect, useState } from 'react';

/** The current time, ticking every 15 s: the cadence timers count down without a refetch. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

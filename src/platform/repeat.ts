/**
 * Runs `task` every `intervalMs`, never two at once: a tick that finds the previous run still going is skipped
 * (a slow sweep does not pile up). Returns the function that stops it.
 */
export function repeat(task: () => Promise<unknown>, intervalMs: number, onError: (err: unknown) => void = () => {}): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  return () => clearInterval(timer);
}

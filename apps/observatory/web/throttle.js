// A trailing throttle: runs a task at most once per interval, and once more after the last request.

/**
 * Wraps `task` so that `schedule()` runs it at most once per `intervalMs` (the requests in between
 * collapse into one run at the end of the interval) and `schedule(true)` runs it now.
 * @param {() => void} task
 * @param {number} intervalMs
 * @returns {{ schedule: (immediate?: boolean) => void }}
 */
export function throttle(task, intervalMs) {
  let lastRun = -Infinity;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const run = () => {
    timer = undefined;
    lastRun = Date.now();
    task();
  };
  return {
    schedule(immediate = false) {
      if (timer !== undefined) {
        if (!immediate) return;
        clearTimeout(timer);
      }
      const wait = immediate ? 0 : Math.max(0, lastRun + intervalMs - Date.now());
      timer = setTimeout(run, wait);
    },
  };
}

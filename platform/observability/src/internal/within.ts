/**
 * Waits for a promise, but not for ever: how `shutdown()` and `forceFlush()` stay bounded.
 */

/**
 * Resolves when `work` settles (`true`, whether it fulfilled or rejected) or after `ms` (`false`),
 * whichever comes first, so a hung exporter or log destination cannot hold `shutdown()` for ever.
 *
 * @remarks
 * The timer is ref'd on purpose: a hung piece of work that holds no handle must not let Node exit
 * while the caller's `await shutdown()` is unsettled; the timer lives at most `ms` and is cleared as
 * soon as `work` settles.
 * @example
 * ```ts
 * const finished = await within(provider.shutdown(), 2000); // false: gave up after 2 s
 * ```
 */
export function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, limit]).finally(() => clearTimeout(timer));
}

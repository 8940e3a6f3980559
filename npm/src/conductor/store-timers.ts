/**
 * What the conductor's store-driven timers share (the wait timer for parked runs, `waits.ts`, and
 * the trigger timer, `trigger-timer.ts`): each asks the engine when its next time comes, and looks
 * again on its own now and then, since another process on a shared store may add something due
 * sooner than anything this one knows of.
 */

/** The longest a `setTimeout` waits (about 24.8 days); a later time is looked at again then. */
export const LONGEST_TIMER = 2 ** 31 - 1;

/** When the store could not be read: tried again this much later (ms). */
export const RETRY_AFTER = 5_000;

/** The longest a timer goes without looking (ms). */
export const LOOK_EVERY = 60_000;

/**
 * When the engine found nothing due although a time it named has come by this clock (the
 * engine's clock behind this one's): looked at again this much later, not at once.
 */
export const CLOCKS_APART = 250;

import type { Log } from '../transport/log.js';

/**
 * A logger that can be silenced at once, with all its children: during shutdown, clients that
 * are still reconnecting to a broker being stopped only produce noise.
 */
export function muteableLog(base: Log): { log: Log; mute(): void } {
  let muted = false;
  const wrap = (l: Log): Log => ({
    debug: (m, f) => muted || l.debug(m, f),
    info: (m, f) => muted || l.info(m, f),
    warn: (m, f) => muted || l.warn(m, f),
    error: (m, f) => muted || l.error(m, f),
    child: (name) => wrap(l.child(name)),
  });
  return {
    log: wrap(base),
    mute() {
      muted = true;
    },
  };
}

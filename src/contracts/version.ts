/** Wire schema version carried by every JSON message as `v`. Bump on incompatible changes. */
export const SCHEMA_VERSION = 1 as const;

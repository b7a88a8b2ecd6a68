/** Exit 0 ok, 1 invalid catalogue, stale outputs or findings, 2 usage error, 3 internal error (a bug: please report it). */
export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3 } as const;

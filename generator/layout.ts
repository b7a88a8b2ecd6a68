/**
 * Where outputs go by default. The writer itself knows no folder names: callers pass the folders
 * whose generated files it may clean up.
 */

/** Folders the generator owns by default; every default output lives in one of them. */
export const DEFAULT_OWNED_DIRS: readonly string[] = ['generated', 'dashboards', 'alerts'];

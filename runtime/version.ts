/**
 * Which generated modules this runtime can serve. A generated module states the runtime API it was
 * generated for (`RUNTIME_API` in it) and its `createMetrics` calls {@link requireRuntimeApi} first,
 * so a project whose installed runtime is older or newer than its generated code fails at start-up
 * with what to do, rather than on a missing method later.
 *
 * Bump {@link RUNTIME_API} when generated code starts to need something the runtime did not offer
 * (an export, a parameter, a behaviour); raise {@link OLDEST_SERVED_RUNTIME_API} only when the
 * runtime stops serving what older generated code calls.
 */
export const RUNTIME_API: number = 3;

/**
 * The runtime API that introduced learned label values (`LabelSpec.learned`). A generated module
 * asks for the oldest API that serves it, so a catalogue without learned labels still runs on an
 * API-1 runtime, and one with them is refused there instead of silently sending every value to the
 * overflow.
 */
export const LEARNED_LABELS_RUNTIME_API = 2;

/** What every generated module needs. */
export const BASE_RUNTIME_API = 1;

/**
 * The first runtime API with info metrics (`runtime.info`, `Info`, `InfoMetric`). A module whose
 * catalogue has none states API 1, so it still runs on an older runtime.
 */
export const INFO_METRICS_RUNTIME_API = 2;

/**
/**
 * The first runtime API with native histograms (`MetricSpec.native`) and exemplars
 * (`Counter#incWithExemplar`, `Histogram#observeWithExemplar`, the `Exemplar` type, which the
 * generated wrappers and events of counters and histograms call). A module with neither states an
 * older API, so it still runs on an older runtime.
 */
export const NATIVE_HISTOGRAMS_RUNTIME_API = 3;
export const EXEMPLARS_RUNTIME_API = 3;

/** The oldest runtime API a generated module may have been generated for and still be served. */
export const OLDEST_SERVED_RUNTIME_API: number = 1;

/** Thrown by createMetrics when the installed runtime cannot serve the generated module. */
export class RuntimeApiMismatchError extends Error {
  override readonly name = 'RuntimeApiMismatchError';
}

/** Throws {@link RuntimeApiMismatchError} unless this runtime serves modules generated for `generatedFor`. */
export function requireRuntimeApi(generatedFor: number): void {
  if (Number.isInteger(generatedFor) && generatedFor >= OLDEST_SERVED_RUNTIME_API && generatedFor <= RUNTIME_API) return;
  const served = OLDEST_SERVED_RUNTIME_API === RUNTIME_API ? `API ${RUNTIME_API}` : `APIs ${OLDEST_SERVED_RUNTIME_API} to ${RUNTIME_API}`;
  const remedy =
    generatedFor > RUNTIME_API
      ? 'install the lazybird-metrics version that generated it (npm install lazybird-metrics@<that version>), or regenerate it with the installed one (npx lazybird-metrics generate)'
      : 'regenerate it with the installed lazybird-metrics (npx lazybird-metrics generate)';
  throw new RuntimeApiMismatchError(
    `lazybird-metrics: the generated metrics module was generated for runtime API ${String(generatedFor)}, but the installed lazybird-metrics runtime serves ${served}: ${remedy}`,
  );
}

/**
 * Faults the demo can inject, by flag (`--fault NAME`) or at runtime over HTTP, and the alert of
 * alerts/ that each one is meant to set off. The `/faults` routes are the simulator's
 * (generator/simulate/faults.ts).
 */
import { FaultSet } from '../generator/simulate/faults.js';

export const FAULTS = {
  degradation: {
    description: 'quality scores drop by 20% (the alert fires on a drop of more than 5%)',
    alert: 'QualityScoreDegraded',
  },
  spike: {
    description: 'task durations jump by 40 s, many standard deviations above their usual spread',
    alert: 'TaskDurationAnomaly',
  },
  errors: {
    description: 'an error burst: 30% of the calls to one external service fail (the alert fires above 5%)',
    alert: 'ExternalApiErrorRatioHigh',
  },
  silence: {
    description: 'tasks stop completing: no task metric is recorded, while the exporter still serves',
    alert: 'TasksStalled',
  },
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** The demo's active faults; the workload reads it on every tick. */
export type DemoFaults = FaultSet<FaultName>;

export function demoFaults(initial: Iterable<FaultName> = []): DemoFaults {
  return new FaultSet(FAULTS, initial);
}

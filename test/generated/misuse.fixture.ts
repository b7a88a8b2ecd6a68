// Compile-time contract of generated/metrics.ts: every line under @ts-expect-error must fail to
// compile; typescript.test.ts checks that each one does, and that the rest compiles.
import { createMetrics, createRecorder } from '../../generated/metrics.js';

const metrics = createMetrics({ defaultMetrics: false });
const recorder = createRecorder(metrics);

// What compiles.
metrics.agentLatencySeconds.observe({ agent: 'claude' }, 0.8);
metrics.agentCallsTotal.inc({ agent: 'other', operation: 'refine' });
metrics.agentCallsTotal.inc({ agent: 'codex', operation: 'fix' }, 2);
metrics.typeErrorsTotal.inc();
metrics.typeErrorsTotal.inc(3);
metrics.taskQueueDepth.set(4);
metrics.taskQueueDepth.inc();
metrics.taskQueueDepth.dec(2);
metrics.cacheSizeBytes.set({ cache_layer: 'redis' }, 1024);
const stop = metrics.cacheLookupDurationSeconds.startTimer({ cache_layer: 'memory' });
const elapsed: number = stop();
metrics.taskDurationSeconds.startTimer()();
const ratio: number | null = metrics.summary().taskSuccessRatio;
recorder.recordAgentCall({ agent: 'gemini', operation: 'review', latencySeconds: 1.2, costUsd: 0.01, tokens: 900 });
recorder.recordCacheLookup({ cacheLayer: 'disk', result: 'miss', durationSeconds: 0.002 });
metrics.agentLatencySeconds.observe({ agent: 'claude' }, 0.8, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
metrics.agentCallsTotal.inc({ agent: 'codex', operation: 'fix' }, undefined, { traceId: 'abc' });
metrics.typeErrorsTotal.inc(1, { traceId: 'abc' });
metrics.taskDurationSeconds.observe(3, { traceId: 'abc' });
recorder.recordCacheLookup({ cacheLayer: 'disk', result: 'hit', durationSeconds: 0.002, exemplar: { traceId: 'abc' } });
metrics.reset();
void elapsed;
void ratio;

// What does not.
// @ts-expect-error unknown label value
metrics.agentLatencySeconds.observe({ agent: 'nobody' }, 0.8);
// @ts-expect-error missing label
metrics.agentCallsTotal.inc({ agent: 'claude' });
// @ts-expect-error extra label
metrics.agentLatencySeconds.observe({ agent: 'claude', operation: 'fix' }, 0.8);
// @ts-expect-error labels are required on a labeled metric
metrics.agentLatencySeconds.observe(0.8);
// @ts-expect-error a label-less counter takes no labels
metrics.typeErrorsTotal.inc({ agent: 'claude' });
// @ts-expect-error wrong label name
metrics.cacheSizeBytes.set({ layer: 'redis' }, 1);
// @ts-expect-error value of another label's set
metrics.cacheSizeBytes.set({ cache_layer: 'claude' }, 1);
// @ts-expect-error counters cannot be set
metrics.typeErrorsTotal.set(3);
// @ts-expect-error counters cannot go down
metrics.agentCallsTotal.dec({ agent: 'claude', operation: 'fix' });
// @ts-expect-error histograms have no inc
metrics.taskDurationSeconds.inc();
// @ts-expect-error the value must be a number
metrics.taskDurationSeconds.observe('12');
// @ts-expect-error no such metric
metrics.taskLatencyMs.observe(12);
// @ts-expect-error event field missing (tokens)
recorder.recordAgentCall({ agent: 'gemini', operation: 'review', latencySeconds: 1.2, costUsd: 0.01 });
// @ts-expect-error event label field with a value outside the catalogue
recorder.recordCacheLookup({ cacheLayer: 'l4', result: 'miss', durationSeconds: 0.002 });
// @ts-expect-error unknown event field
recorder.recordCheckpointFailure({ checkpoint: '1', reason: 'timeout' });
// @ts-expect-error checkpoints are "1" | "2" | "3"
recorder.recordCheckpointFailure({ checkpoint: 4 });
// @ts-expect-error no such event
recorder.recordTaskStart({});
// @ts-expect-error gauges take no exemplar (OpenMetrics allows them on counters and histograms only)
metrics.taskQueueDepth.set(4, { traceId: 'abc' });
// @ts-expect-error nor does a labeled gauge's inc
metrics.cacheSizeBytes.inc({ cache_layer: 'redis' }, 1, { traceId: 'abc' });
// @ts-expect-error an exemplar needs its trace id
metrics.taskDurationSeconds.observe(3, { spanId: 'abc' });
// @ts-expect-error the trace id is `traceId`, not `trace_id`
metrics.typeErrorsTotal.inc(1, { trace_id: 'abc' });
// @ts-expect-error the trace id is a string
metrics.agentLatencySeconds.observe({ agent: 'claude' }, 0.8, { traceId: 42 });
// @ts-expect-error an event's exemplar has the same shape
recorder.recordCacheLookup({ cacheLayer: 'disk', result: 'hit', durationSeconds: 0.002, exemplar: { trace: 'abc' } });

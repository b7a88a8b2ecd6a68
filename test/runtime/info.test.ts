/**
 * Info metrics in the runtime: one series, values set at run time, exposed as an OpenMetrics `info`
 * family (`# TYPE x info`, sample `x_info`) and as the gauge `x_info` in the text format.
 */
import { describe, expect, it } from 'vitest';
import { MetricsInputError, MetricsRuntime, validateSpecs } from '../../runtime/index.js';
import type { MetricSpec } from '../../runtime/index.js';
import { pythonOpenMetricsParse } from '../helpers/openmetrics-parser.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';

const BUILD: MetricSpec = { name: 'svc_build_info', type: 'info', help: 'The running build.', unit: '', labels: [], infoLabels: ['version', 'commit'] };
const SPECS: readonly MetricSpec[] = [BUILD, { name: 'svc_jobs_total', type: 'counter', help: 'Jobs.', unit: '', labels: [] }];

function runtime(strict = false): MetricsRuntime {
  return new MetricsRuntime(SPECS, { namespace: 'svc', defaultMetrics: false, strict });
}

describe('info metrics', () => {
  it('expose nothing but their metadata before set', async () => {
    const rt = runtime();
    expect(await rt.expose('text')).not.toMatch(/^svc_build_info\{/m);
    expect(await rt.expose('openmetrics')).toContain('# TYPE svc_build info\n');
    rt.close();
  });

  it('expose one series of value 1 in both formats, accepted by promtool and the Python parser', async () => {
    const rt = runtime();
    rt.info(0).set(['1.4.2', 'a1b2c3d']);
    rt.info(0).set(['1.5.0 "beta"\\x', 'ffee00']); // replaces, escaped
    const text = await rt.expose('text');
    expect(text).toContain('# TYPE svc_build_info gauge\n');
    expect(text.match(/^svc_build_info\{.*$/gm)).toEqual(['svc_build_info{version="1.5.0 \\"beta\\"\\\\x",commit="ffee00"} 1']);
    const check = promtoolCheckMetrics(text);
    expect(check.status, check.output).toBe(0);

    const om = await rt.expose('openmetrics');
    expect(om).toContain('# HELP svc_build The running build.\n# TYPE svc_build info\n');
    expect(om.match(/^svc_build_info\{.*$/gm)).toHaveLength(1);
    expect(om).not.toMatch(/# UNIT svc_build/);
    const parsed = pythonOpenMetricsParse(om);
    expect(parsed.status, parsed.output).toBe(0);
    expect(parsed.output).toContain('svc_build info svc_build_info\n');
    expect(rt.info(0).labels()).toEqual({ version: '1.5.0 "beta"\\x', commit: 'ffee00' });
    rt.close();
  });

  it.each([
    ['an empty value', ['', 'abc']],
    ['a control character', ['1.0\n', 'abc']],
    ['a lone surrogate', ['1.0\uD800', 'abc']],
    ['a value over 256 characters', ['v'.repeat(257), 'abc']],
    ['a number', [1, 'abc']],
    ['too few values', ['1.0']],
  ])('drop %s whole and count it, keeping the previous values', async (_, values) => {
    const rt = runtime();
    rt.info(0).set(['1.0.0', 'abc']);
    rt.info(0).set(values);
    expect(rt.info(0).labels()).toEqual({ version: '1.0.0', commit: 'abc' });
    expect(rt.dropped(0, 'unknown_label_value')).toBe(1);
    const strict = runtime(true);
    expect(() => strict.info(0).set(values)).toThrow(MetricsInputError);
    strict.close();
    rt.close();
  });

  it('forget their values on reset and ignore set after close', async () => {
    const rt = runtime();
    rt.info(0).set(['1.0.0', 'abc']);
    rt.reset();
    expect(rt.info(0).labels()).toBeUndefined();
    expect(await rt.expose('text')).not.toMatch(/^svc_build_info\{/m);
    const info = rt.info(0);
    rt.close();
    expect(() => info.set(['2.0.0', 'def'])).not.toThrow();
  });

  it('under cluster aggregation, are served with the values the primary set', async () => {
    const worker = runtime();
    const primary = runtime();
    worker.info(0).set(['1.0.0', 'abc']);
    const json = await worker.getMetricsAsJSON();
    expect(json.find((m) => m.name === 'svc_build_info')).toMatchObject({ type: 'gauge', aggregator: 'first', values: [{ value: 1, labels: { version: '1.0.0', commit: 'abc' } }] });
    // The primary never set its own: nothing to serve rather than values it cannot vouch for.
    expect(primary.renderAggregate(json, 'text', performance.now())).not.toMatch(/^svc_build_info\{/m);
    primary.info(0).set(['1.0.0', 'abc']);
    const om = primary.renderAggregate(json, 'openmetrics', performance.now());
    expect(om).toContain('svc_build_info{version="1.0.0",commit="abc"} 1\n');
    expect(pythonOpenMetricsParse(om).status).toBe(0);
    worker.close();
    primary.close();
  });

  it('refuse malformed specs at construction', () => {
    const bad = (spec: Partial<MetricSpec>, message: RegExp): void => expect(() => validateSpecs([{ ...BUILD, ...spec } as MetricSpec])).toThrow(message);
    bad({ name: 'svc_build' }, /must end with _info/);
    bad({ unit: 'seconds' }, /no unit/);
    bad({ infoLabels: [] }, /need infoLabels/);
    bad({ infoLabels: ['version', 'version'] }, /duplicate info label/);
    bad({ labels: [{ name: 'zone', values: ['a'] }] }, /from infoLabels/);
    expect(() => validateSpecs([{ ...SPECS[1]!, infoLabels: ['x'] }])).toThrow(/only info metrics/);
  });
});

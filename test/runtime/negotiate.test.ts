import { describe, expect, it } from 'vitest';
import { MetricsRuntime, OPENMETRICS_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE, TEXT_CONTENT_TYPE, contentType, negotiate } from '../../runtime/index.js';

describe('negotiate', () => {
  it.each([
    [undefined, 'text'],
    ['', 'text'],
    ['*/*', 'text'],
    ['text/plain', 'text'],
    ['text/plain;version=0.0.4', 'text'],
    ['application/json', 'text'],
    ['garbage;;;,,=', 'text'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    ['Application/OpenMetrics-Text;Version="1.0.0"', 'openmetrics'],
    // What Prometheus 2.x sends by default.
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics'],
    // Only a version we do not serve.
    ['application/openmetrics-text;version=0.0.1', 'text'],
    ['application/openmetrics-text;version=2.0.0,text/plain;q=0.1', 'text'],
    // q-values honoured.
    ['application/openmetrics-text;q=0.2,text/plain;q=0.8', 'text'],
    ['text/plain;q=0.3,application/openmetrics-text;q=0.9', 'openmetrics'],
    ['application/openmetrics-text;q=0', 'text'],
    ['application/openmetrics-text;q=0.000', 'text'],
    ['application/openmetrics-text;q=0.5,*/*;q=0.5', 'openmetrics'],
    ['application/openmetrics-text;q=0.5,*/*', 'text'],
    ['text/*;q=0.9,application/openmetrics-text;q=0.95', 'openmetrics'],
    // A malformed q voids its range.
    ['application/openmetrics-text;q=abc', 'text'],
    ['application/openmetrics-text;q=1.5', 'text'],
    // Protobuf: what Prometheus 2.42 sends with --enable-feature=native-histograms (copied from its binary).
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'protobuf'],
    // What older Prometheus versions, prom2json and Telegraf send.
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1', 'protobuf'],
    ['Application/Vnd.Google.Protobuf; Proto="io.prometheus.client.MetricFamily"; Encoding=delimited', 'protobuf'],
    // Another message type, another encoding, or a parameter missing: not ours to guess.
    ['application/vnd.google.protobuf;proto=io.prometheus.client.Metric;encoding=delimited', 'text'],
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text', 'text'],
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily', 'text'],
    ['application/vnd.google.protobuf;encoding=delimited', 'text'],
    ['application/vnd.google.protobuf', 'text'],
    // q-values honoured against both text formats; a tie goes to protobuf.
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;q=0.6', 'openmetrics'],
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,text/plain', 'text'],
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;q=0.5,*/*;q=0.5', 'protobuf'],
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0,*/*;q=0.1', 'text'],
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=2,text/plain;q=0.1', 'text'],
  ] as const)('%j -> %s', (accept, expected) => {
    expect(negotiate(accept)).toBe(expected);
  });

  it('gives the content types Prometheus expects', () => {
    expect(contentType('text')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(contentType('openmetrics')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const rt = new MetricsRuntime([], { defaultMetrics: false });
    expect(rt.contentType('text')).toBe(TEXT_CONTENT_TYPE);
    expect(rt.contentType('openmetrics')).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(rt.negotiate('application/openmetrics-text')).toBe('openmetrics');
    expect(contentType('protobuf')).toBe('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited');
    expect(rt.contentType('protobuf')).toBe(PROTOBUF_CONTENT_TYPE);
  });
});

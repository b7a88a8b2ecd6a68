/**
 * A synthetic catalogue of `count` metrics for scale benchmarks and tests: a mix of counters,
 * gauges and histograms over a few shared labels, in groups of 50, every rule satisfied.
 */
export function largeCatalogYaml(count: number): string {
  const lines: string[] = [
    '# Synthetic catalogue made by bench/large-catalog.ts.',
    'namespace: synth',
    `budget: { series_per_metric: 500, total_series: ${count * 200} }`,
    'labels:',
    '  region: { description: Region., values: [eu, us, ap, sa], overflow: other }',
    '  tier: { description: Tier., values: [free, pro, enterprise] }',
    '  status: { description: Status., values: [ok, error] }',
    'groups:',
  ];
  const groups = Math.ceil(count / 50);
  for (let g = 0; g < groups; g++) lines.push(`  g${g}: { title: Group ${g}, order: ${g} }`);
  lines.push('metrics:');
  for (let i = 0; i < count; i++) {
    const group = `g${Math.floor(i / 50)}`;
    switch (i % 3) {
      case 0:
        lines.push(
          `  requests_${i}_total:`,
          '    type: counter',
          `    group: ${group}`,
          `    help: Requests handled by component ${i}.`,
          '    unit: count',
          '    labels: [region, status]',
        );
        break;
      case 1:
        lines.push(
          `  queue_${i}_bytes:`,
          '    type: gauge',
          `    group: ${group}`,
          `    help: Bytes queued in component ${i}.`,
          '    unit: bytes',
          '    labels: [tier]',
        );
        break;
      default:
        lines.push(
          `  request_${i}_duration_seconds:`,
          '    type: histogram',
          `    group: ${group}`,
          `    help: Request duration of component ${i}.`,
          '    unit: seconds',
          '    labels: [region]',
          '    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]',
        );
    }
  }
  return lines.join('\n') + '\n';
}

import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Generated code imports the runtime by package name; inside this repository that is the package's
  // self-reference, served from the TypeScript sources by the `lazybird-metrics:source` export
  // condition (no build needed). The rest are Vite's default server conditions less `module`: that
  // one picks builds meant for bundlers (@opentelemetry/api's has extensionless imports Node cannot load).
  ssr: { resolve: { conditions: ['lazybird-metrics:source', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/tools.ts'],
    // Most of the long files wait on real servers (Prometheus, VictoriaMetrics, demos) rather than
    // compute, so four files at a time on a 2-core machine keep the suite inside its budget.
    maxWorkers: 4,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

import { defineConfig } from 'vitest/config';

// Two projects:
// - unit: test/unit/**, pure, no Kafka, parallel files.
// - integration: test/integration/** and test/e2e/**, against ONE real Kafka broker started by the
//   globalSetup (or KAFKA_BROKERS), files run one at a time on this small machine, generous timeouts.
export default defineConfig({
  test: {
    // Stopping the broker (controlled shutdown) happens in the globalSetup teardown.
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/setup/kafka-global.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

// ava 7 + tsx: tests run from TypeScript source. workerThreads must be false on Node 20,
// or the --import hook is not applied inside ava's workers (LIBS.md §8).
export default {
  files: ['test/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  timeout: '120s',
  concurrency: 2,
};

// `npm run bench [-- platform|matching]`: benchmarks print numbers, they are not tests.
const suites: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  platform: () => import('./platform.bench.ts'),
  functions: () => import('./functions.bench.ts'),
  matching: () => import('./matching.bench.ts'),
  api: () => import('./api.bench.ts'),
};
const wanted = process.argv.slice(2).filter((a) => a in suites);
for (const name of wanted.length ? wanted : Object.keys(suites)) {
  console.log(`\n=== ${name} ===`);
  await (await suites[name]()).run();
}

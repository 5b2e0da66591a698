// Prints "N passed, N failed" from vitest's JSON report (CI reads this line).
import { readFileSync } from 'node:fs';

/**
 * The counts of vitest's JSON report that this line is made of.
 * @typedef {{ numPassedTests?: number; numFailedTests?: number; numFailedTestSuites?: number; numPendingTests?: number; numTodoTests?: number }} Report
 */

const file = process.argv[2];
/** @type {Report} */
let report;
try {
  // Parsed as unknown, then read as the Report it is expected to be (the counts default to 0 below).
  const /** @type {unknown} */ parsed = JSON.parse(readFileSync(file, 'utf8'));
  report = /** @type {Report} */ (parsed);
} catch {
  console.log('0 passed, 1 failed');
  console.error(`No test report at ${file}: the test run did not complete.`);
  process.exit(0);
}
const passed = report.numPassedTests ?? 0;
// A suite that failed to load counts as a failure even though none of its tests ran.
const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites > 0 && report.numFailedTests === 0 ? report.numFailedTestSuites : 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);

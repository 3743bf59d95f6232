// Prints Jest's result as one plain closing line ("jest: N passed, N failed, N skipped").
import { readFileSync } from 'node:fs';

interface JestSummary { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }

const file = process.argv[2];
if (file === undefined) throw new Error('usage: summarize-jest.ts <jest --json output>');
const r = JSON.parse(readFileSync(file, 'utf8')) as JestSummary;
console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);

// The whole conformance suite against wsx, inside `npm test`: one test per
// role and category, failing with the list of FAILED cases (NON-STRICT and
// INFORMATIONAL verdicts pass; CONFORMANCE.md lists them). Run
// `npm run conformance` for the report.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { categories, allCases } from './cases/index.js';
import { Runner } from './runner.js';
import { loadTarget } from './targets.js';

const target = await loadTarget('wsx');
const runner = new Runner(target);
after(() => runner.close());

const cases = allCases();
for (const role of ['server', 'client']) {
  for (const cat of categories) {
    const selected = cases.filter((c) => c.category === cat.category && c.roles.includes(role));
    if (!selected.length) continue;
    test(`conformance, ${role} role: ${cat.category} ${cat.title} (${selected.length} cases)`, async () => {
      const failed = [];
      for (const c of selected) {
        const r = await runner.runCase(c, role);
        if (r.verdict === 'FAILED') failed.push(`${r.id} ${r.description} [close ${r.close}]: ${r.note}`);
      }
      assert.deepEqual(failed, [], `FAILED cases:\n${failed.join('\n')}`);
    });
  }
}

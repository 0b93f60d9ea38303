// Helper process for the race test: wait for the shared start instant, then try to take the approval.
import { trustedKeys } from '../../src/approvals/key-store.js';
import { takeApproval } from '../../src/approvals/verify.js';
import { resolvePaths } from '../../src/config/paths.js';

const [envJson, subject, startAt] = process.argv.slice(2) as [string, string, string];
const paths = resolvePaths(JSON.parse(envJson) as Record<string, string>);
const keys = trustedKeys(paths).keys;
while (Date.now() < Number(startAt)) {
  // spin: release every racer within the same millisecond
}
process.stdout.write(takeApproval(paths, () => ({ subject, difference: null }), keys).ok ? 'took\n' : 'refused\n');

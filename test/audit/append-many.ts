// Helper process for the concurrency test: append N records as fast as possible.
import { appendRecord } from '../../src/audit/log-file.js';
import { buildRecordBody } from '../../src/audit/record.js';
import { resolvePaths } from '../../src/config/paths.js';

const [envJson, writer, count] = process.argv.slice(2) as [string, string, string];
const paths = resolvePaths(JSON.parse(envJson) as Record<string, string>);
for (let i = 0; i < Number(count); i++) {
  await appendRecord(paths, buildRecordBody({ kind: 'exit', actor: 'agent', tool: 'kubectl', argv: ['kubectl', 'delete', 'ns', `w${writer}-${i}`], cwd: '/', decision: 'exit', rules: [], target: null, exitCode: 0, env: {} }));
}

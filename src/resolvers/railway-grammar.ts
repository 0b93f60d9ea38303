// The railway CLI's argv grammar, as rulesets/railway.yaml states it (a test keeps the two equal), so the
// resolver reads -e/-s/-p/-v and the command path exactly as the rules did.
import type { Grammar } from '../rulesets/types.js';

export const RAILWAY_GRAMMAR: Grammar = {
  style: 'posix',
  valueFlags: [
    '-b', '-c', '-d', '-e', '-f', '-i', '-m', '-n', '-o', '-P', '-p', '-r', '-S', '-s', '-t', '-U', '-v',
    '-w', '--2fa-code', '--after', '--agent', '--alias', '--at', '--base-image-digest', '--branch',
    '--bucket', '--category', '--checkpoint', '--command', '--concurrency', '--coordinators', '--copy',
    '--cron', '--database', '--default-pool-size', '--default-ttl', '--demo-project', '--deployment-instance',
    '--description', '--dir', '--direction', '--domain', '--drop-cause', '--dropped', '--dst', '--duplicate',
    '--duration', '--edge', '--editor', '--env-file', '--environment', '--file', '--filter', '--function',
    '--hard', '--host', '--html-caching', '--id', '--identity-file', '--idle-timeout-minutes', '--image',
    '--key', '--kind', '--lang', '--limit', '--lines', '--max-client-conn', '--max-prepared-statements',
    '--message', '--method', '--mount-path', '--name', '--network', '--new-service-name', '--operation-name',
    '--output', '--owner', '--path', '--peer', '--peer-kind', '--period', '--pool-mode', '--port',
    '--project', '--project_id', '--prompt', '--protocol', '--purge-on-deploy', '--qname', '--qtype',
    '--raw-var', '--rcode', '--readme', '--readme-file', '--region', '--replicas', '--repo', '--request-id',
    '--rule-id', '--runner', '--scope', '--service', '--service-config', '--service-variable', '--session',
    '--set', '--set-from-stdin', '--since', '--soft', '--source-repo-path', '--src', '--ssh-config',
    '--status', '--tail', '--target', '--team', '--template', '--thread-id', '--timeout', '--to', '--type',
    '--until', '--var', '--variable', '--variables', '--verified', '--volume', '--when', '--workspace',
    '--zone',
  ],
  aliases: {'-y': '--yes', '-e': '--environment', '-s': '--service', '-p': '--project', '-v': '--volume', '-b': '--bucket', '-f': '--file', '-h': '--help', '-V': '--version', '--project_id': '--project', '--copy': '--duplicate', '--override': '--overwrite', '--no-wait': '--detach'},
  envArgs: [],
  payloads: {},
};

// Remote and container exec, secret injectors: the command they run is a nested command line judged like
// any other, and where it runs (container, pod, host, profile) is recorded on the invocation.
// Option tables follow each tool's reference (which flags take a value); unknown options read as switches.
import { basename, type Handler, type Outcome, type State } from './state.js';
import { readOptions, valueOf, type OptionSpec } from './options.js';

/** The tool itself is judged by its rules; what it then runs cannot be followed (unknown for agents). */
const opaque = (what: string): Outcome => ({ kind: 'final', unknown: { reason: `${what}, which cannot be followed`, agentOnly: true } });

/** Index of the first operand after `from`, skipping options (values of `values` options too). */
function operandAt(state: State, from: number, spec: OptionSpec): { at: number; read: ReturnType<typeof readOptions> } {
  const read = readOptions(state.argv, from, { ...spec, lenient: true });
  return { at: read.next, read };
}

/** An argv run remotely (`docker exec C cmd args`, `kubectl exec P -- cmd`): nested as that argv. */
function runsArgv(state: State, at: number, wrapper: string, target: string | undefined, keep = false): Outcome {
  if (at >= state.argv.length) return opaque(`${wrapper} opens an interactive shell${target ? ` on ${target}` : ''}`);
  const argv = state.argv.slice(at);
  const dynamic = state.dynamic.filter((d) => d >= at).map((d) => d - at);
  return { kind: 'nested-argv', wrapper, commands: [{ argv, dynamic }], ...(target ? { target } : {}), keep };
}

/** A command string run by a remote shell (`ssh host 'cmd'`, `fly ssh console -C 'cmd'`). */
function runsString(state: State, script: string, wrapper: string, target: string | undefined, keep = false): Outcome {
  return { kind: 'nested', wrapper, script, ...(target ? { target } : {}), keep };
}

const DOCKER_EXEC: OptionSpec = { flags: 'dit', values: 'euw', longValues: ['env', 'env-file', 'user', 'workdir', 'detach-keys'], longFlags: ['detach', 'interactive', 'tty', 'privileged'] };
const COMPOSE_GLOBAL: OptionSpec = { values: 'fp', longValues: ['file', 'project-name', 'profile', 'env-file', 'project-directory', 'ansi', 'parallel', 'progress'] };
const COMPOSE_EXEC: OptionSpec = { flags: 'dT', values: 'euw', longValues: ['env', 'index', 'user', 'workdir'] };
const COMPOSE_RUN: OptionSpec = {
  flags: 'dTPqi', values: 'eluvwp',
  longValues: ['cap-add', 'cap-drop', 'entrypoint', 'env', 'env-from-file', 'label', 'name', 'publish', 'pull', 'user', 'volume', 'workdir'],
};

/** `docker exec [opts] C cmd…`, `docker container exec`, `docker compose exec|run [opts] S cmd…` (also podman). */
const docker: Handler = (state) => {
  const global = operandAt(state, 1, { values: 'cHl', longValues: ['config', 'context', 'host', 'log-level', 'tlscacert', 'tlscert', 'tlskey'] });
  let at = global.at;
  const sub = state.argv[at];
  const tool = basename(state.argv[0]!);
  if (sub === 'container' && state.argv[at + 1] === 'exec') at++;
  if (state.argv[at] === 'exec') {
    const { at: container } = operandAt(state, at + 1, DOCKER_EXEC);
    if (container >= state.argv.length) return { kind: 'final' };
    return runsArgv(state, container + 1, `${tool} exec`, `container ${state.argv[container]}`, true);
  }
  if (sub === 'compose') return compose(state, at + 1, `${tool} compose`);
  return { kind: 'final' };
};

function compose(state: State, from: number, label: string): Outcome {
  const { at } = operandAt(state, from, COMPOSE_GLOBAL);
  const sub = state.argv[at];
  if (sub !== 'exec' && sub !== 'run') return { kind: 'final' };
  const { at: service } = operandAt(state, at + 1, sub === 'exec' ? COMPOSE_EXEC : COMPOSE_RUN);
  if (service >= state.argv.length) return { kind: 'final' };
  // `compose run S` with no command runs the service's own command: nothing on this line to judge.
  if (sub === 'run' && service + 1 >= state.argv.length) return { kind: 'final' };
  return runsArgv(state, service + 1, `${label} ${sub}`, `service ${state.argv[service]}`, true);
}

const dockerCompose: Handler = (state) => compose(state, 1, 'docker-compose');

const KUBECTL_VALUES = ['-c', '--container', '-f', '--filename', '-n', '--namespace', '--context', '--cluster', '--kubeconfig',
  '--pod-running-timeout', '-s', '--server', '--user', '--token', '--as', '--as-group', '--request-timeout', '--image', '--target',
  '--profile', '--copy-to', '--env', '--set-image', '--custom', '--image-pull-policy', '-l', '--selector'];

/** `kubectl exec [POD] [-c C] -- cmd…`, `kubectl debug … -- cmd…`. */
const kubectl: Handler = (state) => {
  let sub: number | undefined;
  for (let i = 1; i < state.argv.length; i++) {
    const word = state.argv[i]!;
    if (word === '--') break;
    if (word.startsWith('-')) {
      if (KUBECTL_VALUES.includes(word)) i++;
      continue;
    }
    sub = i;
    break;
  }
  if (sub === undefined) return { kind: 'final' };
  const name = state.argv[sub];
  if (name !== 'exec' && name !== 'debug') return { kind: 'final' };
  const dash = state.argv.indexOf('--', sub);
  const operands: string[] = [];
  for (let i = sub + 1; i < (dash < 0 ? state.argv.length : dash); i++) {
    const word = state.argv[i]!;
    if (word.startsWith('-')) {
      if (KUBECTL_VALUES.includes(word)) i++;
      continue;
    }
    operands.push(word);
  }
  const namespace = valueOfWords(state.argv, ['-n', '--namespace']);
  const target = operands[0] ? `pod ${operands[0]}${namespace ? ` (namespace ${namespace})` : ''}` : undefined;
  if (dash < 0) {
    if (name === 'debug' && (state.argv.includes('-it') || state.argv.includes('-i') || state.argv.includes('--stdin'))) {
      return opaque(`kubectl debug opens an interactive shell${target ? ` on ${target}` : ''}`);
    }
    return { kind: 'final' };
  }
  return runsArgv(state, dash + 1, `kubectl ${name}`, target, true);
};

function valueOfWords(argv: string[], names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    for (const n of names) {
      if (word === n) return argv[i + 1];
      if (word.startsWith(`${n}=`)) return word.slice(n.length + 1);
    }
  }
  return undefined;
}

const RAILWAY_RUN: OptionSpec = { values: 'sep', longValues: ['service', 'environment', 'project', 'deployment-instance'], longFlags: ['no-local', 'json', 'help'] };

/** `railway run [-s S] [-e E] [--] cmd…`, `railway ssh [-s S] [cmd…]`, `railway connect|shell` (interactive). */
const railway: Handler = (state) => {
  const sub = state.argv[1];
  if (sub === 'run' || sub === 'local' || sub === 'ssh') {
    const { at, read } = operandAt(state, 2, RAILWAY_RUN);
    const service = valueOf(read, '-s', '--service');
    const env = valueOf(read, '-e', '--environment');
    const target = [service && `service ${service}`, env && `environment ${env}`].filter(Boolean).join(', ') || undefined;
    if (sub === 'ssh') {
      if (at >= state.argv.length) return opaque(`railway ssh opens an interactive shell${target ? ` on ${target}` : ''}`);
      return runsString(state, state.argv.slice(at).join(' '), 'railway ssh', target ?? 'railway service', true);
    }
    if (at >= state.argv.length) return { kind: 'final' };
    return runsArgv(state, at, `railway ${sub}`, target, true);
  }
  if (sub === 'connect' || sub === 'shell') return opaque(`railway ${sub} opens an interactive session`);
  return { kind: 'final' };
};

/** `heroku run [-a APP] [-s SIZE] [--] cmd…` (and `run:detached`): the command runs in a one-off dyno's shell. */
const heroku: Handler = (state) => {
  const sub = state.argv[1];
  if (sub !== 'run' && sub !== 'run:detached') {
    if (sub === 'ps:exec') return opaque(`heroku ${sub} opens an interactive session`);
    return { kind: 'final' };
  }
  const { at, read } = operandAt(state, 2, { values: 'aers', flags: 'x', longValues: ['app', 'remote', 'env', 'size', 'type'], longFlags: ['no-tty', 'no-notify', 'exit-code', 'tail'] });
  const app = valueOf(read, '-a', '--app');
  if (at >= state.argv.length) return { kind: 'final' };
  return runsString(state, state.argv.slice(at).join(' '), `heroku ${sub}`, app ? `app ${app}` : 'heroku app', true);
};

/** `fly ssh console [-a APP] -C 'cmd'` (flyctl); without -C it is an interactive shell. */
const fly: Handler = (state) => {
  if (state.argv[1] === 'console') {
    const { read } = operandAt(state, 2, { values: 'aCceir', longValues: ['app', 'command', 'config', 'env', 'image', 'region', 'machine', 'dockerfile', 'entrypoint', 'vm-size', 'user'], longFlags: ['select', 'rm'] });
    const command = valueOf(read, '-C', '--command');
    const app = valueOf(read, '-a', '--app');
    return command === undefined ? opaque('fly console opens an interactive session') : runsString(state, command, 'fly console', app ? `app ${app}` : 'fly app', true);
  }
  if (state.argv[1] !== 'ssh' || state.argv[2] !== 'console') return { kind: 'final' };
  // fly.io/docs/flyctl/ssh-console: -A -a -C -c -g -o -r -u -t take a value; -s (--select), -q, --pty do not.
  const { read } = operandAt(state, 3, { values: 'AaCcgorut', flags: 'sqh', longValues: ['app', 'command', 'config', 'region', 'machine', 'user', 'address', 'org', 'process-group', 'access-token'], longFlags: ['select', 'pty', 'quiet', 'debug', 'verbose'] });
  const app = valueOf(read, '-a', '--app');
  const command = valueOf(read, '-C', '--command');
  const target = app ? `app ${app}` : 'fly app';
  if (command === undefined) return opaque(`fly ssh console opens an interactive shell on ${target}`);
  return runsString(state, command, 'fly ssh console', target, true);
};

/** `gcloud compute ssh INSTANCE [--zone Z] --command 'cmd'` (also `gcloud compute tpus tpu-vm ssh`). */
const gcloud: Handler = (state) => {
  const sshAt = state.argv.indexOf('ssh');
  if (state.argv[1] !== 'compute' || sshAt < 0) return { kind: 'final' };
  const command = valueOfWords(state.argv, ['--command']);
  const { at } = operandAt(state, sshAt + 1, { longValues: ['zone', 'project', 'command', 'ssh-key-expiration', 'ssh-flag', 'container', 'internal-ip', 'worker', 'account', 'configuration'] });
  const target = state.argv[at] && state.argv[at] !== '--' ? `instance ${state.argv[at]}` : 'gcloud instance';
  if (command !== undefined) return runsString(state, command, 'gcloud compute ssh', target, true);
  const dash = state.argv.indexOf('--');
  if (dash >= 0) return opaque(`gcloud compute ssh passes arguments to ssh on ${target}`);
  return opaque(`gcloud compute ssh opens an interactive shell on ${target}`);
};

/** `aws ssm send-command --parameters commands=…` (AWS-RunShellScript): each command is a shell line. */
const aws: Handler = (state) => {
  const ssm = state.argv.indexOf('ssm');
  if (ssm < 0) return { kind: 'final' };
  const op = state.argv[ssm + 1];
  if (op === 'start-session') return opaque('aws ssm start-session opens an interactive session');
  if (op !== 'send-command') return { kind: 'final' };
  const parameters = valueOfWords(state.argv, ['--parameters']);
  const instances = valueOfWords(state.argv, ['--instance-ids', '--targets']);
  const target = instances ? `instances ${instances}` : 'aws ssm targets';
  if (parameters === undefined) return opaque(`aws ssm send-command runs a document on ${target}`);
  const commands = ssmCommands(parameters);
  if (commands === null) return opaque(`aws ssm send-command runs commands that could not be read on ${target}`);
  return runsString(state, commands.join('\n'), 'aws ssm send-command', target, true);
};

/** The `commands` of SSM `--parameters`, from JSON or the CLI shorthand (`commands=a,b` / `commands=["a","b"]`). */
export function ssmCommands(parameters: string): string[] | null {
  const text = parameters.trim();
  if (text.startsWith('file://')) return null;
  if (text.startsWith('{')) {
    try {
      const value = (JSON.parse(text) as Record<string, unknown>).commands;
      return Array.isArray(value) && value.every((c) => typeof c === 'string') ? (value as string[]) : null;
    } catch {
      return null;
    }
  }
  const m = /^commands=(.*)$/s.exec(text);
  if (!m) return null;
  const list = m[1]!.trim();
  if (list.startsWith('[')) {
    try {
      return JSON.parse(list) as string[];
    } catch {
      return list.slice(1, -1).split(',').map((s) => s.trim().replace(/^"(.*)"$/s, '$1'));
    }
  }
  return list.split(',');
}

const SSH: OptionSpec = { flags: '46AaCfGgKkMNnqsTtVvXxYy', values: 'BbcDEeFIiJLlmOopQRSWw' };

/** `ssh [opts] host [command…]`: the words after the host are joined and run by the remote user's shell. */
const ssh: Handler = (state) => {
  const read = readOptions(state.argv, 1, SSH);
  if (read.error) return { kind: 'unknown', reason: `${read.error} for ssh` };
  if (read.next >= state.argv.length) return { kind: 'final' };
  if (state.dynamic.includes(read.next)) return opaque('ssh to a host only known at run time');
  const host = state.argv[read.next]!;
  const user = valueOf(read, '-l');
  const target = `host ${user ? `${user}@` : ''}${host}`;
  if (read.options.some((o) => o.name === '-N' || o.name === '-O' || o.name === '-W')) return { kind: 'final' };
  if (read.next + 1 >= state.argv.length) {
    if (state.stdin.kind === 'heredoc' || state.stdin.kind === 'herestring') return runsString(state, state.stdin.body, 'ssh (stdin)', target);
    return opaque(`ssh opens a shell on ${target}`);
  }
  return runsString(state, state.argv.slice(read.next + 1).join(' '), 'ssh', target);
};

/** Secret injectors: `aws-vault exec P [--] cmd`, `op run [--] cmd`, `doppler run [--] cmd`, `dotenvx run`, `infisical run`. */
function injector(sub: string, spec: OptionSpec, profile: boolean, commandFlags: string[] = []): Handler {
  return (state) => {
    if (state.argv[1] !== sub) return { kind: 'final' };
    const tool = basename(state.argv[0]!);
    const { at, read } = operandAt(state, 2, spec);
    const command = commandFlags.length ? valueOf(read, ...commandFlags) : undefined;
    if (command !== undefined) return runsString(state, command, `${tool} ${sub}`, undefined);
    let start = at;
    let target: string | undefined;
    if (profile) {
      if (start >= state.argv.length) return { kind: 'final' };
      target = `profile ${state.argv[start]}`;
      const after = operandAt(state, start + 1, spec);
      start = after.at;
    }
    if (start >= state.argv.length) return opaque(`${tool} ${sub} starts a shell with the secrets`);
    return runsArgv(state, start, `${tool} ${sub}`, target);
  };
}

/**
 * Words that make a guarded tool run another command line (`kubectl exec`, `railway run`): a shim must send
 * such an invocation to the full check even when none of the tool's own rules could match.
 */
export const RUNS_COMMANDS_WORDS: Record<string, string[]> = {
  docker: ['exec', 'compose'],
  podman: ['exec', 'compose'],
  'docker-compose': ['exec', 'run'],
  'podman-compose': ['exec', 'run'],
  kubectl: ['exec', 'debug'],
  oc: ['exec', 'debug'],
  railway: ['run', 'local', 'ssh', 'connect', 'shell'],
  heroku: ['run', 'run:detached', 'ps:exec'],
  fly: ['ssh', 'console'],
  flyctl: ['ssh', 'console'],
  gcloud: ['ssh'],
  aws: ['ssm'],
};

export const REMOTE_HANDLERS: Record<string, Handler> = {
  docker,
  podman: docker,
  'docker-compose': dockerCompose,
  'podman-compose': dockerCompose,
  kubectl,
  oc: kubectl,
  railway,
  heroku,
  fly,
  flyctl: fly,
  gcloud,
  aws,
  ssh,
  'aws-vault': injector('exec', { values: 'dt', flags: 'njs', longValues: ['duration', 'mfa-token', 'region', 'prompt', 'ec2-server', 'ecs-server'], longFlags: ['no-session', 'json', 'server', 'lazy', 'stdout'] }, true),
  op: injector('run', { longValues: ['env-file', 'environment', 'account', 'config', 'cache', 'encoding', 'session'], longFlags: ['no-masking'] }, false),
  doppler: injector('run', { values: 'pc', longValues: ['project', 'config', 'token', 'fallback', 'mount', 'mount-format', 'mount-template', 'name-transformer', 'command', 'scope', 'api-host', 'configuration'], longFlags: ['preserve-env', 'forward-signals', 'no-check-version'] }, false, ['--command']),
  dotenvx: injector('run', { values: 'fe', longValues: ['env-file', 'env', 'env-keys-file', 'convention', 'log-level'], longFlags: ['overload', 'strict', 'quiet', 'verbose', 'debug', 'ignore'] }, false),
  infisical: injector('run', { values: 't', longValues: ['env', 'path', 'projectId', 'token', 'tags', 'domain', 'command', 'watch-interval'], longFlags: ['expand', 'include-imports', 'recursive', 'secret-overriding', 'silent', 'watch'] }, false, ['--command']),
};

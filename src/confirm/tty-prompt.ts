// Prompts on /dev/tty — input AND output — never on stdin/stdout, so `yes |`, a heredoc or a pipe
// cannot answer and the tool's stdout stays clean. Default, timeout, EOF and Ctrl-C all mean "no".
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ReadStream, WriteStream } from 'node:tty';

/** The terminal, as the confirm stage and `approve` use it. Tests substitute their own. */
export interface TtyPort {
  write(text: string): void;
  /** Colour support of the terminal itself. */
  readonly colors: boolean;
  /**
   * The typed line, or null when refused by default: timeout, EOF, Ctrl-C, hang-up. `plain`: no colour
   * (NO_COLOR, TERM=dumb), the same rule as the panel.
   */
  ask(message: string, opts: { timeoutMs: number; secret?: boolean; plain?: boolean }): Promise<string | null>;
  /** Why the last `ask` returned null, for the refusal message. */
  readonly lastRefusal: Refusal | null;
  close(): void;
}

export type Refusal = 'timed out' | 'cancelled' | 'terminal closed';

interface EnquirerPrompt {
  run(): Promise<string>;
  cancel(err?: unknown): Promise<void>;
  state?: { cancelled?: boolean; submitted?: boolean };
}
type PromptClass = new (options: Record<string, unknown>) => EnquirerPrompt;

// enquirer is CommonJS and heavy-ish: load it only when a prompt is really shown.
const loadEnquirer = (): { Input: PromptClass; Invisible: PromptClass } => createRequire(import.meta.url)('enquirer') as { Input: PromptClass; Invisible: PromptClass };

/** The ansi-colors instance enquirer itself uses (it ignores NO_COLOR; we switch it per prompt). */
const enquirerColors = (): { enabled: boolean } => {
  const req = createRequire(import.meta.url);
  return createRequire(req.resolve('enquirer'))('ansi-colors') as { enabled: boolean };
};

/**
 * No check mark on submit: the prompt cannot know whether the typed name is right (that is judged after),
 * and a ✔ next to a wrong name reads like success.
 */
const PREFIX = { pending: '?', submitted: '›', cancelled: '✖' };

/**
 * Why: "is there a human's terminal" is "can this process open its controlling terminal". A process
 * without one (cron, CI, an agent's plain pipes, `setsid`) gets ENXIO and goes to the approval flow.
 */
export const openTty = (ttyPath = '/dev/tty'): TtyPort | null => {
  let readFd: number;
  let writeFd: number;
  try {
    readFd = openSync(ttyPath, 'r');
  } catch {
    return null;
  }
  try {
    writeFd = openSync(ttyPath, 'w');
  } catch {
    closeSync(readFd);
    return null;
  }
  let input: ReadStream;
  let output: WriteStream;
  try {
    input = new ReadStream(readFd);
    output = new WriteStream(writeFd);
  } catch {
    closeSync(readFd);
    closeSync(writeFd);
    return null;
  }
  if (!input.isTTY) {
    input.destroy();
    output.destroy();
    return null;
  }
  input.pause();
  let closed = false;
  let lastRefusal: Refusal | null = null;

  const ask: TtyPort['ask'] = async (message, { timeoutMs, secret, plain }) => {
    const { Input, Invisible } = loadEnquirer();
    const colors = enquirerColors();
    const wasEnabled = colors.enabled;
    if (plain) colors.enabled = false;
    // Like sudo: a secret is not echoed at all, not even as one * per character (its length is a hint).
    const Prompt = secret ? Invisible : Input;
    const prompt = new Prompt({ message, stdin: input, stdout: output, name: 'answer', prefix: PREFIX });
    let why = 'cancelled' as Refusal;
    const refuse = () => void prompt.cancel().catch(() => {});
    const timer = setTimeout(() => {
      why = 'timed out';
      refuse();
    }, Math.max(1, timeoutMs));
    // EOF or hang-up on the terminal: nobody is there to answer.
    const onEnd = () => {
      why = 'terminal closed';
      refuse();
    };
    input.once('end', onEnd);
    input.once('close', onEnd);
    const signals: NodeJS.Signals[] = ['SIGHUP', 'SIGTERM'];
    for (const s of signals) process.on(s, onEnd);
    lastRefusal = null;
    try {
      const answer = await prompt.run();
      if (why === 'timed out' || typeof answer !== 'string') {
        lastRefusal = why;
        return null;
      }
      return answer;
    } catch {
      lastRefusal = why;
      return null;
    } finally {
      colors.enabled = wasEnabled;
      clearTimeout(timer);
      input.off('end', onEnd);
      input.off('close', onEnd);
      for (const s of signals) process.off(s, onEnd);
      input.pause();
    }
  };

  return {
    write: (text) => {
      output.write(text);
    },
    colors: output.hasColors?.() ?? false,
    ask,
    get lastRefusal() {
      return lastRefusal;
    },
    close: () => {
      if (closed) return;
      closed = true;
      // A tty stream in raw mode is restored by enquirer on close; make sure anyway.
      try {
        if (input.isRaw) input.setRawMode(false);
      } catch {
        // terminal already gone
      }
      input.destroy();
      output.destroy();
    },
  };
};

import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Questions on the terminal. A secret is not echoed (on a terminal; piped input has no echo to hide), and each
 * answer is checked as it is given: a bad one asks again instead of aborting. Piped answers work too, one a line.
 */
export class Prompt {
  private muted = false;
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;

  constructor() {
    const muted = () => this.muted;
    // What readline echoes goes through here, so that it can be silenced while a secret is typed.
    const output = new Writable({
      write(chunk, encoding, done) {
        if (!muted()) process.stdout.write(chunk, encoding);
        done();
      },
    });
    this.rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
    // Lines are buffered: answers piped in all at once are not lost between questions.
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  /** Asks until `check` returns nothing; `check` says what is wrong with an answer. */
  async ask(question: string, options: { secret?: boolean; check?: (answer: string) => string | undefined } = {}): Promise<string> {
    for (;;) {
      process.stdout.write(question);
      this.muted = options.secret === true;
      let next: IteratorResult<string>;
      try {
        next = await this.lines.next();
      } finally {
        this.muted = false;
      }
      // On a terminal, Enter ends the line, except where the echo was off; piped answers are not shown at all.
      if (options.secret || !process.stdin.isTTY) process.stdout.write('\n');
      if (next.done) throw new Error('No answer: the input ended.');
      const problem = options.check?.(next.value);
      if (problem === undefined) return next.value;
      process.stdout.write(`${problem}\n`);
    }
  }

  close() {
    this.rl.close();
  }
}

import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { ExitCode, UserError } from "../errors.js";
import { cliIo } from "./io.js";

/**
 * Asks for a secret on the terminal without echoing it. consola's text prompt echoes what is typed, so
 * readline does the line editing while its output goes through a stream that drops the echo: only the
 * question reaches the screen (what npm's `read`/`mute-stream` do, without a dependency).
 */
export function promptHidden(
  question: string,
  terminal: NodeJS.WritableStream = cliIo().stderr,
): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) terminal.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: cliIo().stdin, output, terminal: true });
  return new Promise((resolve, reject) => {
    rl.on("SIGINT", () => {
      rl.close();
      terminal.write("\n");
      reject(new UserError("cancelled: nothing was written", ExitCode.USAGE));
    });
    rl.question(question, (answer) => {
      rl.close();
      terminal.write("\n");
      resolve(answer.trim());
    });
    muted = true;
  });
}

import { userInfo } from "node:os";

/** Who ran the command: the sudo caller rather than root when there is one. */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  return env.SUDO_USER || env.USER || userInfo().username;
}

// `node --import <this file>` logs what the process loads (see hooks.mjs; test/foundation/cli-startup.test.ts).
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);

import { runConcurrentTurns } from "./helpers/concurrent-turns.js";
const f = await runConcurrentTurns({ turns: Number(process.argv[2]), seconds: 10 });
console.log(JSON.stringify(f));

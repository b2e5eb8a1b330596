import { runSchemaCheck } from "./schema-check";

// `npm run schema:check [-- --against FILE]`
const at = process.argv.indexOf("--against");
runSchemaCheck({ committedPath: at > 0 ? process.argv[at + 1] : undefined, out: console.log, err: console.error }).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

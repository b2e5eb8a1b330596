import { composeAndWrite, SUPERGRAPH_GRAPHQL } from "./compose";

async function main(): Promise<number> {
  const { result, printed } = await composeAndWrite();
  for (const hint of result.hints) console.log(`hint: ${hint}`);
  if ("errors" in result) {
    console.error(`Composition failed (${result.errors.length} error(s)):`);
    for (const e of result.errors) console.error(`  - ${e}`);
    return 1;
  }
  console.log(`Printed ${[...printed.keys()].join(", ")} and composed ${SUPERGRAPH_GRAPHQL}`);
  return 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

import { compose, gatewayFor, gql, startSubgraph } from "./helpers";
jest.setTimeout(20000);
test("probe", async () => {
  const a = await startSubgraph("a", `type Query { deep: Node, hello: String } type Node { id: ID, child: Node }`, {
    Query: { hello: () => "hi", deep: () => ({ id: "1" }) },
    Node: { child: (n: any) => ({ id: n.id + "1" }) },
  });
  const gw = await gatewayFor({ supergraphSdl: compose([a]), env: { MAX_TOKENS: "50", MAX_ALIASES: "2", MAX_COST: "100" } });
  console.log(JSON.stringify(await gql(gw.url, "{ hello }")));
  let q = "id"; for (let i = 0; i < 12; i++) q = `child { ${q} }`;
  console.log("depth", JSON.stringify(await gql(gw.url, `{ deep { ${q} } }`)));
  console.log("tokens", JSON.stringify(await gql(gw.url, `{ ${"hello ".repeat(60)} }`)));
  console.log("aliases", JSON.stringify(await gql(gw.url, `{ a: hello b: hello c: hello }`)));
  console.log("cost", JSON.stringify(await gql(gw.url, `{ deep { child { child { child { child { id } } } } } }`)));
  console.log("suggest", JSON.stringify(await gql(gw.url, `{ helo }`)));
  await gw.stop(); await a.stop();
});

// ESLint (flat config) with typescript-eslint. The one rule that is architecture rather than style:
// a subgraph never imports another subgraph's code (it reaches other blocks only through the graph),
// and the kit imports no subgraph.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const SUBGRAPHS = ["registry", "identity", "eligibility", "payments", "vouchers"];

const boundaries = (self) => {
  const others = SUBGRAPHS.filter((s) => s !== self);
  return {
    files: [`subgraphs/${self}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: others.flatMap((other) => [
            { group: [`@g2p/${other}`, `@g2p/${other}/*`], message: "A subgraph must not import another subgraph: go through the graph." },
            { group: [`**/${other}/src/**`, `**/${other}/dist/**`, `../../${other}`, `../../${other}/**`], message: "A subgraph must not import another subgraph: go through the graph." },
          ]),
        },
      ],
    },
  };
};

export default tseslint.config(
  { ignores: ["**/dist/**", "**/dist-check/**", "**/node_modules/**", "**/migrations/**", "data/**", "test/bench/results/**", "clients/**/build/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // type-graphql and DataLoader generics are easier to read with `any` at a few seams.
      "@typescript-eslint/no-explicit-any": "off",
      // type-graphql's `resolvers: Function[]` is its own API.
      "@typescript-eslint/no-unsafe-function-type": "off",
      curly: ["error", "multi-line"],
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { ...globals.node } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  ...SUBGRAPHS.map(boundaries),
  {
    files: ["subgraphs/kit/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: SUBGRAPHS.flatMap((s) => [`@g2p/${s}`, `**/${s}/src/**`]), message: "The kit is shared by every subgraph and imports none." }] },
      ],
    },
  },
);

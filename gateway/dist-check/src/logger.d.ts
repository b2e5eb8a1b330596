import { type Logger } from "pino";
export type { Logger };
/** JSON lines on stdout (what kit's subgraphs log too); tokens are redacted from every line. */
export declare function createLogger(level: string): Logger;

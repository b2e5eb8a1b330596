"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.createLogger = createLogger;
const pino_1 = __importDefault(require("pino"));
/** JSON lines on stdout (what kit's subgraphs log too); tokens are redacted from every line. */
function createLogger(level) {
    return (0, pino_1.default)({
        name: "gateway",
        level,
        redact: { paths: ["req.headers.authorization", "authorization", "token", "*.token"], censor: "[redacted]" },
    });
}
//# sourceMappingURL=logger.js.map
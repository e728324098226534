// Structured logs: a constant message plus data in fields (STYLE 6).
// JSON lines for Lambda (CloudWatch parses them); a compact human form for the terminal.
import type { Logger } from "./types.js";

export function createLogger(format: "json" | "pretty", write: (line: string) => void = (l) => process.stderr.write(l + "\n")): Logger {
  const emit = (level: string) => (message: string, fields: Record<string, unknown> = {}) => {
    if (format === "json") {
      write(JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields }));
      return;
    }
    const data = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
    write(`${level === "info" ? "" : level + ": "}${message}${data ? "  " + data : ""}`);
  };
  return { info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that keeps lines in memory, for tests that assert what was logged. */
export function memoryLogger(): Logger & { lines: { level: string; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void lines.push({ level, message, fields });
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

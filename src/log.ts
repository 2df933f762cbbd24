/**
 * Logging (architecture.md, Logs): winston, one JSON object a line, human format on a TTY.
 * A redaction format removes tokens, secrets and customer contact details from every entry,
 * whatever module logged them.
 */
import winston from 'winston';

export interface LogScope {
  module?: string;
  connector?: string;
  runId?: string;
  opportunityId?: string;
  externalId?: string;
  attempt?: number;
}

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  child(scope: LogScope & Record<string, unknown>): Logger;
}

const SECRET_KEY = /(pass(word)?|secret|token|authorization|assertion|private.?key|api.?key|client.?secret|cookie)/i;
const CONTACT_KEY = /^(email|phone|mobile|contact|contacts|team|telephone\d*|emailaddress\d*|contactEmail|contactPhone)$/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

/** An email has an `@` and a bearer token follows `Bearer`: text with neither is returned as it is, unscanned. */
function redactText(text: string): string {
  const out = text.includes('@') ? text.replace(EMAIL, '[email]') : text;
  return out.includes('Bearer') ? out.replace(BEARER, '$1[redacted]') : out;
}

/** Returns a copy with secrets and contact details replaced; exported for tests. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, depth + 1), code: (value as { code?: unknown }).code };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = SECRET_KEY.test(key) || CONTACT_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    info[key] = SECRET_KEY.test(key) || CONTACT_KEY.test(key) ? '[redacted]' : redact(info[key]);
  }
  return info;
});

export interface LoggerOptions {
  level?: string;
  format?: 'json' | 'pretty' | 'auto';
  /** Extra transport (tests capture lines through it). */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.format === 'pretty' || (options.format !== 'json' && process.stdout.isTTY === true);
  const formats = [winston.format.timestamp(), redactFormat()];
  const output = pretty
    ? winston.format.combine(...formats, winston.format.colorize(), winston.format.printf(prettyLine))
    : winston.format.combine(...formats, winston.format.json());
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn'] });
  const logger = winston.createLogger({
    level: options.level ?? 'info',
    format: output,
    transports: [transport],
    silent: options.silent ?? false,
  });
  return wrap(logger);
}

function prettyLine(info: winston.Logform.TransformableInfo): string {
  const { level, message, timestamp, ...rest } = info;
  const meta = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${String(timestamp)} ${level} ${String(message)}${meta}`;
}

function wrap(logger: winston.Logger): Logger {
  return {
    debug: (m, meta) => logger.debug(m, meta),
    info: (m, meta) => logger.info(m, meta),
    warn: (m, meta) => logger.warn(m, meta),
    error: (m, meta) => logger.error(m, meta),
    child: (scope) => wrap(logger.child(scope)),
  };
}

/** A logger that drops everything (tests, dry runs). */
export const silentLogger: Logger = createLogger({ silent: true });
